import type { FastifyReply } from 'fastify';
import { describeScope } from '../scopes.ts';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const style = `
  body{font-family:system-ui,sans-serif;background:#f4f6f8;color:#1b2733;margin:0;display:flex;justify-content:center}
  main{background:#fff;margin:3rem 1rem;padding:2rem;border-radius:8px;max-width:28rem;width:100%;box-shadow:0 1px 4px #0002}
  h1{font-size:1.4rem;margin-top:0} label{display:block;margin:.8rem 0 .2rem;font-weight:600}
  input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;font-size:1rem;border:1px solid #8a99a8;border-radius:4px}
  button{font-size:1rem;padding:.6rem 1.2rem;margin:1.2rem .6rem 0 0;border-radius:4px;border:1px solid #1d5fa8;cursor:pointer}
  .primary{background:#1d5fa8;color:#fff} .secondary{background:#fff;color:#1d5fa8}
  .error{background:#fdecea;color:#8a1c13;padding:.6rem;border-radius:4px} ul{padding-left:1.2rem} li{margin:.3rem 0}
  .hint{color:#52606d;font-size:.9rem}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Carebase</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
}

/**
 * No scripts, no framing (the consent screen must not be clickjacked), nothing cached, no referrer
 * (URLs carry codes and state). Forms may post here and the final redirect may go to the app.
 */
export function sendPage(reply: FastifyReply, html: string, redirectOrigin?: string, status = 200) {
  const formAction = ["'self'", ...(redirectOrigin ? [redirectOrigin] : [])].join(' ');
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .send(html);
}

export function signInPage(options: {
  clientName: string;
  interaction: string;
  error?: string;
  askOtp: boolean;
}): string {
  return page(
    'Sign in',
    `<h1>Sign in to continue to ${escapeHtml(options.clientName)}</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/auth/authorize/login">
  <input type="hidden" name="interaction" value="${escapeHtml(options.interaction)}">
  <label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" required>
  <label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
  <label for="otp">One-time code${options.askOtp ? '' : ' (if you use one)'}</label>
  <input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code">
  <p class="hint">Clinicians, administrators and privacy officers need the code from their authenticator app or a recovery code.</p>
  <button class="primary" type="submit">Sign in</button>
</form>`,
  );
}

export function consentPage(options: {
  clientName: string;
  userName: string;
  interaction: string;
  scopes: string[];
  patientChoices: { id: string; label: string }[];
}): string {
  const choices =
    options.patientChoices.length > 1
      ? `<fieldset><legend>Which patient's record should the app open?</legend>${options.patientChoices
          .map(
            (c, i) =>
              `<label><input type="radio" name="patient" value="${escapeHtml(c.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(c.label)}</label>`,
          )
          .join('')}</fieldset>`
      : options.patientChoices[0]
        ? `<p>The app will open: <strong>${escapeHtml(options.patientChoices[0].label)}</strong></p>
           <input type="hidden" name="patient" value="${escapeHtml(options.patientChoices[0].id)}">`
        : '';
  return page(
    'Allow access',
    `<h1>${escapeHtml(options.clientName)} wants access</h1>
<p>Signed in as <strong>${escapeHtml(options.userName)}</strong>. If you allow it, the app will be able to:</p>
<ul>${options.scopes.map((s) => `<li>${escapeHtml(describeScope(s))}</li>`).join('')}</ul>
<form method="post" action="/auth/authorize/consent">
  <input type="hidden" name="interaction" value="${escapeHtml(options.interaction)}">
  ${choices}
  <button class="primary" type="submit" name="decision" value="approve">Allow</button>
  <button class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>
<p class="hint">You can withdraw this at any time by signing out of the app everywhere.</p>`,
  );
}

export function errorPage(message: string): string {
  return page(
    'Cannot continue',
    `<h1>This sign-in request cannot continue</h1><p class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}
