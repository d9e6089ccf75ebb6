import { api } from '../api.ts';
import { field, form, h, replace, when } from '../dom.ts';
import { button, panel, run, type Me, type Shell } from '../ui.ts';
import { createPasskey } from '../webauthn.ts';

/** The account: second factors (TOTP, passkeys), recovery codes, sessions. */
export async function renderAccount(main: HTMLElement, shell: Shell): Promise<void> {
  const me = await api<Me>('GET', '/v1/users/me');
  const totp = h('div', { id: 'totp' });
  const passkeys = h('ul', { class: 'list', id: 'passkeys' });
  const sessions = h('ul', { class: 'list', id: 'sessions' });
  const refresh = () => renderAccount(main, shell);

  if (me.mfa.totp) {
    replace(totp,
      h('p', {}, `Authenticator app: on. Recovery codes left: ${me.mfa.recoveryCodesLeft ?? 0}.`),
      form({ id: 'totp-off' }, (v) => run(async () => {
        await api('DELETE', '/v1/users/me/mfa/totp', { code: v.code!.trim() });
        await refresh();
      }), field('code', 'Current code', { inputmode: 'numeric' }), h('button', { type: 'submit', class: 'danger' }, 'Turn off')));
  } else {
    replace(totp, h('p', {}, 'Authenticator app: off.'), button('Set up an authenticator app', () => startTotp(totp, refresh)));
  }

  const keys = await api<{ items: { id: string; name: string; createdAt: string; lastUsedAt: string | null }[] }>('GET', '/v1/users/me/mfa/webauthn');
  replace(passkeys, ...keys.items.map((k) => h('li', {},
    h('span', { class: 'grow' }, k.name), h('span', { class: 'muted' }, `added ${when(k.createdAt)}`),
    button('Remove', async () => {
      await api('DELETE', `/v1/users/me/mfa/webauthn/${encodeURIComponent(k.id)}`);
      await refresh();
    }, 'danger'))));

  const live = await api<{ items: { id: string; createdAt: string; lastSeenAt: string; current: boolean }[] }>('GET', '/v1/sessions');
  replace(sessions, ...live.items.map((s) => h('li', {},
    h('span', { class: 'grow' }, `Signed in ${when(s.createdAt)}${s.current ? ' (this browser)' : ''}`),
    h('span', { class: 'muted' }, `last seen ${when(s.lastSeenAt)}`))));

  replace(main,
    panel(`Account: ${me.username}`, h('p', { class: 'muted' }, `Roles: ${me.roles.join(', ')}`)),
    panel('Authenticator app (TOTP)', totp),
    panel('Passkeys', passkeys,
      form({ id: 'passkey-add' }, (v) => run(async () => {
        const { challengeId, options } = await api('POST', '/v1/users/me/mfa/webauthn/options');
        await api('POST', '/v1/users/me/mfa/webauthn', { challengeId, response: await createPasskey(options), name: v.name });
        await refresh();
      }), field('name', 'Passkey name'), h('button', { type: 'submit' }, 'Add a passkey'))),
    panel('Sessions', sessions,
      button('Sign out everywhere', async () => {
        await api('DELETE', '/v1/sessions');
        shell.signedOut();
      }, 'danger')),
  );
}

/** Enrolment: the QR code (an <img> of the server's SVG, as a data: URL the CSP allows), then a first code. */
async function startTotp(box: HTMLElement, done: () => Promise<void>): Promise<void> {
  const enrolment = await api<{ secret: string; qrCodeSvg: string }>('POST', '/v1/users/me/mfa/totp');
  let binary = '';
  for (const byte of new TextEncoder().encode(enrolment.qrCodeSvg)) binary += String.fromCharCode(byte);
  const svg = btoa(binary);
  replace(box,
    h('p', {}, 'Scan this code with your authenticator app, or type in the secret, then enter the code it shows.'),
    h('img', { class: 'qr', id: 'totp-qr', alt: 'QR code for your authenticator app', src: `data:image/svg+xml;base64,${svg}` }),
    h('p', {}, 'Secret: ', h('code', { id: 'totp-secret' }, enrolment.secret)),
    form({ id: 'totp-confirm' }, (v) => run(async () => {
      const { recoveryCodes } = await api<{ recoveryCodes: string[] }>('POST', '/v1/users/me/mfa/totp/confirm', { code: v.code!.trim() });
      showRecoveryCodes(box, recoveryCodes, done);
    }), field('code', 'Code from the app', { inputmode: 'numeric' }), h('button', { type: 'submit' }, 'Turn on')));
}

/** Recovery codes are shown this once: the server keeps only their hashes. */
function showRecoveryCodes(box: HTMLElement, codes: string[], done: () => Promise<void>): void {
  replace(box,
    h('p', { class: 'notice' }, 'The authenticator app is on. Save these recovery codes now: each works once, and they will not be shown again.'),
    h('ul', { class: 'codes', id: 'recovery-codes' }, ...codes.map((c) => h('li', {}, c))),
    button('I have saved them', done));
}
