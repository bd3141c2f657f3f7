import axe from 'axe-core';
import type { Page } from 'playwright-core';

const runOptions: axe.RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
};

export interface AccessibilityViolation {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A/AA and best practices) in the page and returns the serious and critical
 * violations. The engine is evaluated through the DevTools protocol, which the page's strict
 * Content-Security-Policy does not govern; an inline <script> tag would (rightly) be refused.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  await page.evaluate(axe.source);
  // A string expression: these tests are typed for Node, without the DOM library.
  const violations = await page.evaluate<AccessibilityViolation[]>(
    `axe.run(document, ${JSON.stringify(runOptions)}).then((results) =>
      results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(' ')),
      })))`,
  );
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
