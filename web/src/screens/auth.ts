import { api, ApiError, setCsrfToken } from '../api.ts';
import { field, form, h, replace } from '../dom.ts';
import { button, panel, run } from '../ui.ts';
import { getPasskey } from '../webauthn.ts';

/** Sign in (password, then TOTP/recovery code or passkey when the account needs one) or register. */
export function renderSignIn(main: HTMLElement, signedIn: () => Promise<void>): void {
  const start = async (path: string, body: unknown) => {
    const session = await api<{ csrfToken: string }>('POST', path, body);
    setCsrfToken(session.csrfToken);
    await signedIn();
  };

  const secondFactor = (username: string, password: string) =>
    replace(main, panel('Second factor',
      h('p', {}, 'This account is protected by a second factor. Enter the code from your authenticator app (or a recovery code), or use your passkey.'),
      form({ id: 'otp-form' }, (v) => run(() => start('/v1/sessions', { username, password, otp: v.otp!.trim() })),
        field('otp', 'Code', { inputmode: 'numeric' }), h('button', { type: 'submit' }, 'Verify')),
      button('Use a passkey', async () => {
        const { challengeId, options } = await api('POST', '/v1/sessions/webauthn/options');
        await start('/v1/sessions', { username, password, passkey: { challengeId, response: await getPasskey(options) } });
      }, 'secondary'),
    ));

  replace(main,
    panel('Sign in',
      form({ id: 'login-form' }, (v) => run(async () => {
        try {
          await start('/v1/sessions', { username: v.username, password: v.password });
        } catch (err) {
          // The password was right; the account also needs its second factor (no session yet).
          if (err instanceof ApiError && err.code === 'mfa_required') return secondFactor(v.username!, v.password!);
          throw err;
        }
      }),
      field('username', 'Username', { autocomplete: 'username' }),
      field('password', 'Password', { type: 'password', autocomplete: 'current-password' }),
      h('button', { type: 'submit' }, 'Sign in')),
      button('Sign in with a passkey', async () => {
        const { challengeId, options } = await api('POST', '/v1/sessions/webauthn/options');
        await start('/v1/sessions/webauthn', { challengeId, response: await getPasskey(options) });
      }, 'secondary'),
    ),
    panel('Create an account',
      form({ id: 'register-form' }, (v) => run(async () => {
        await api('POST', '/v1/users', { username: v.username, password: v.password });
        await start('/v1/sessions', { username: v.username, password: v.password });
      }),
      field('username', 'Username', { autocomplete: 'username' }),
      field('password', 'Password (long and unusual)', { type: 'password', autocomplete: 'new-password' }),
      h('button', { type: 'submit' }, 'Register')),
    ),
  );
}
