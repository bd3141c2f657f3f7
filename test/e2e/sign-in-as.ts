import { TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import type { DemoLogin } from './server-under-test.ts';

const lastStepUsed = new Map<string, number>();

/**
 * A current TOTP code for a demo login. The server accepts each time step once per user, so a second
 * sign-in of the same user waits for the next step.
 */
export async function totpCode(login: DemoLogin): Promise<string> {
  if (!login.totpSecret) throw new Error(`${login.username} has no TOTP secret`);
  const totp = new TOTP({ secret: login.totpSecret, digits: 6, period: 30, algorithm: 'SHA1' });
  let step = Math.floor(Date.now() / 30_000);
  while ((lastStepUsed.get(login.username) ?? -1) >= step) {
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 50));
    step = Math.floor(Date.now() / 30_000);
  }
  lastStepUsed.set(login.username, step);
  return totp.generate({ timestamp: step * 30_000 + 1_000 });
}

/** Signs in through the form like a person: password, then the authenticator code when asked. */
export async function signInAs(page: Page, login: DemoLogin): Promise<void> {
  await page.getByLabel('Username').fill(login.username);
  await page.getByLabel('Password', { exact: true }).fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (login.totpSecret) {
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    await code.fill(await totpCode(login));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
  }
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}

export function demoLogin(logins: DemoLogin[], username: string): DemoLogin {
  const login = logins.find((candidate) => candidate.username === username);
  if (!login) throw new Error(`No demo login ${username}`);
  return login;
}
