import assert from 'node:assert/strict';
import { totpCodeAt } from '../../src/accounts/mfa/totp.ts';
import type { Clock } from '../../src/clock.ts';
import { call, type Target } from './api.ts';

/** Turns TOTP on for the token's user; returns the secret and the recovery codes. */
export async function enableTotp(app: Target, token: string, clock: Clock): Promise<{ secret: string; recoveryCodes: string[] }> {
  const start = await call(app, 'POST', '/v1/users/me/mfa/totp', { token });
  assert.equal(start.status, 200, start.body);
  const confirm = await call(app, 'POST', '/v1/users/me/mfa/totp/confirm', { token, body: { code: totpCodeAt(start.json.secret, clock()) } });
  assert.equal(confirm.status, 200, confirm.body);
  return { secret: start.json.secret, recoveryCodes: confirm.json.recoveryCodes };
}

/** The TOTP code for `secret` right now on `clock`. */
export function codeNow(secret: string, clock: Clock, offsetSteps = 0): string {
  return totpCodeAt(secret, clock() + offsetSteps * 30_000);
}
