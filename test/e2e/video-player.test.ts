import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser.ts';
import {
  bundlePlayer,
  harnessPath,
  routeHarness,
  startVideoServer,
  type VideoServer,
} from '../support/video-browser.ts';
import { generateClip } from '../support/video-fixtures.ts';
import { checkPage, openFromMenu } from './page-checks.ts';
import { ensureWebBuild } from './server-under-test.ts';
import { signInAs } from './sign-in-as.ts';

interface HarnessLog {
  levels: string[];
  captions: string[];
  playingLevel: number;
  error?: string;
  events: { at: number; level: number }[];
}
interface Qoe {
  startupMs?: number;
  watchedSeconds: number;
  stallSeconds: number;
  switches: number;
  renditionSeconds: Record<string, number>;
}

describe('video player (hls.js in Debian Chromium)', () => {
  let server: VideoServer;
  let browser: Browser;
  let bundle: string;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'carebase-video-e2e-'));
    const clip = path.join(work, 'clip.mp4');
    await generateClip(clip, { seconds: 24, width: 1280, height: 720 });
    await writeFile(
      path.join(work, 'en.vtt'),
      'WEBVTT\n\n00:00.500 --> 00:03.000\nHold the inhaler upright.\n',
    );
    await ensureWebBuild();
    [server, browser, bundle] = await Promise.all([
      startVideoServer(clip, path.join(work, 'en.vtt')),
      launchBrowser(),
      bundlePlayer(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function openHarness(): Promise<{ page: Page; close: () => Promise<void>; pageErrors: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await routeHarness(page, server.baseUrl, bundle);
    await page.goto(`${server.baseUrl}${harnessPath}/`, { waitUntil: 'load' });
    return { page, pageErrors, close: () => context.close() };
  }
  /** Polls through the DevTools protocol (`waitForFunction` would eval in the page, which its CSP forbids). */
  async function waitUntil(page: Page, expression: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await page.evaluate<boolean>(expression))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const log = (page: Page) => page.evaluate<HarnessLog>('window.harness.log');
  const qoe = (page: Page) => page.evaluate<Qoe>('window.harness.qoe()');
  const currentTime = (page: Page) => page.evaluate<number>(`document.getElementById('video').currentTime`);

  it('plays the stream with its ladder and captions, and records the time to first frame', async () => {
    const { page, close, pageErrors } = await openHarness();
    try {
      await page.evaluate(`window.harness.start(${JSON.stringify(await server.masterUrl())}, {})`);
      await waitUntil(page, `document.getElementById('video').currentTime > 2`, 30_000);
      const state = await log(page);
      expect(state.error).toBeUndefined();
      expect(state.levels).toEqual(['240p', '360p', '720p']);
      expect(state.captions).toEqual(['English']);
      const measured = await qoe(page);
      expect(measured.startupMs).toBeGreaterThan(0);
      console.info(`time to first frame: ${measured.startupMs!.toFixed(0)} ms`);
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('switches down instead of stalling when the high renditions become slow', async () => {
    const { page, close } = await openHarness();
    try {
      // Start on 720p with a short buffer, so the network matters.
      const options = { hlsConfig: { startLevel: 2, maxBufferLength: 6, maxMaxBufferLength: 8 } };
      await page.evaluate(
        `window.harness.start(${JSON.stringify(await server.masterUrl())}, ${JSON.stringify(options)})`,
      );
      await waitUntil(page, `document.getElementById('video').currentTime > 2`, 30_000);
      expect((await log(page)).playingLevel).toBe(2);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      // ~1.2 Mbit/s: 720p (≈2.9 Mbit/s) cannot keep up, 240p (≈0.5 Mbit/s) can.
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 20,
        downloadThroughput: 150_000,
        uploadThroughput: 150_000,
      });
      const throttledAt = await currentTime(page);
      await waitUntil(page, `document.getElementById('video').currentTime > ${throttledAt + 10}`, 60_000);
      const state = await log(page);
      const measured = await qoe(page);
      console.info(
        `after throttling: level ${state.playingLevel}, stalled ${measured.stallSeconds.toFixed(2)} s, switches ${measured.switches}`,
      );
      expect(state.playingLevel).toBeLessThan(2);
      expect(measured.switches).toBeGreaterThanOrEqual(1);
      expect(measured.stallSeconds).toBeLessThan(2);
    } finally {
      await close();
    }
  });
  it('plays a video from the Videos page of the signed-in app, accessibly', async () => {
    const opened = await openPage(browser, server.baseUrl, 'desktop');
    try {
      await signInAs(opened.page, server.viewer);
      await openFromMenu(opened, 'Videos');
      await opened.page.getByRole('button', { name: 'Inhaler technique' }).click();
      await opened.page.getByRole('heading', { level: 2, name: 'Inhaler technique' }).waitFor();
      await waitUntil(opened.page, `document.querySelector('video').currentTime > 1`, 30_000).catch(
        async (error: unknown) => {
          const video = await opened.page.evaluate<unknown>(
            `(() => { const v = document.querySelector('video'); return { t: v.currentTime, rs: v.readyState, ns: v.networkState, err: v.error && v.error.message, paused: v.paused, src: v.src }; })()`,
          );
          throw new Error(
            `video did not play: ${JSON.stringify(video)} ${JSON.stringify(opened.consoleErrors)} ${JSON.stringify(opened.pageErrors)}`,
            { cause: error },
          );
        },
      );
      await opened.page.getByLabel('Captions').selectOption({ label: 'English' });
      expect(await opened.page.getByLabel('Quality').locator('option').allTextContents()).toEqual(
        expect.arrayContaining(['240p', '360p', '720p']),
      );
      await checkPage(opened, 'videos', 'desktop');
    } finally {
      await opened.close();
    }
  });
});
