/**
 * NATS subject matching: tokens are separated by `.`, `*` matches exactly one token and `>` (last token
 * only) one or more.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const patternTokens = pattern.split('.');
  const subjectTokens = subject.split('.');
  for (let i = 0; i < patternTokens.length; i += 1) {
    const token = patternTokens[i];
    if (token === '>') return i === patternTokens.length - 1 && subjectTokens.length > i;
    if (i >= subjectTokens.length) return false;
    if (token !== '*' && token !== subjectTokens[i]) return false;
  }
  return patternTokens.length === subjectTokens.length;
}

/** Publish subjects are literal: no wildcards, no empty tokens. */
export function assertPublishSubject(subject: string): void {
  if (!/^[^\s.*>]+(\.[^\s.*>]+)*$/.test(subject))
    throw new Error(`invalid subject for publish: ${JSON.stringify(subject)}`);
}
