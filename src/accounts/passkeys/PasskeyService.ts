import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.ts';
import { newId } from '../../crypto/random.ts';
import type { DatabaseSchema } from '../../store/schema.ts';
import { isUniqueViolation } from '../../store/errors.ts';

/** A ceremony's challenge is good for five minutes, once. */
const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_PASSKEYS_PER_USER = 20;

export interface Passkey {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly backedUp: boolean;
}

/** A ceremony result the client sends back: which challenge it answers, and the authenticator's response. */
export interface CeremonyAnswer<R> {
  readonly challengeId: string;
  readonly response: R;
}

/**
 * The request schema checks only the envelope of a browser's PublicKeyCredential JSON; the
 * library verifies everything inside (and a malformed inside is a refused ceremony).
 */
export function asAssertion(answer: { challengeId: string; response: object } | undefined): CeremonyAnswer<AuthenticationResponseJSON> | undefined {
  return answer as CeremonyAnswer<AuthenticationResponseJSON> | undefined;
}

export type PasskeyLogin = { ok: true; userId: string; credentialId: string } | { ok: false; reason: string };

/**
 * Passkeys (WebAuthn, via @simplewebauthn/server): registration and authentication ceremonies
 * with server-side, single-use, expiring challenges; the signature counter is checked and
 * stored on every use (a counter that goes backwards means a cloned authenticator and is
 * refused). Credentials are discoverable, so a login needs no username first (nothing to
 * enumerate), and one user may hold several.
 */
export class PasskeyService {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly clock: Clock,
    private readonly rpId: string,
  ) {}

  /** Options for navigator.credentials.create(), and the id of the stored challenge. */
  async registrationOptions(user: { id: string; username: string }) {
    const existing = await this.list(user.id);
    const options = await generateRegistrationOptions({
      rpName: 'Gatehouse', rpID: this.rpId, userName: user.username, userID: Buffer.from(user.id, 'utf8'),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return { challengeId: await this.storeChallenge('register', user.id, options.challenge), options };
  }

  /** Verifies a registration and stores the new passkey; a reason string when it is refused. */
  async register(userId: string, answer: CeremonyAnswer<RegistrationResponseJSON>, name: string): Promise<Passkey | string> {
    const challenge = await this.consumeChallenge(answer.challengeId, 'register', userId);
    if (!challenge) return 'unknown, used or expired challenge';
    if ((await this.list(userId)).length >= MAX_PASSKEYS_PER_USER) return `at most ${MAX_PASSKEYS_PER_USER} passkeys per user`;
    let info;
    try {
      const origin = this.originOf(answer.response);
      const result = await verifyRegistrationResponse({ response: answer.response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: this.rpId, requireUserVerification: false });
      if (!result.verified) return 'registration not verified';
      info = result.registrationInfo;
    } catch (err) {
      return `registration refused: ${(err as Error).message}`;
    }
    const now = this.clock();
    const passkey: Passkey = { id: info.credential.id, name, createdAt: now, lastUsedAt: null, backedUp: info.credentialBackedUp };
    try {
      await this.db.insertInto('webauthn_credentials').values({
        id: passkey.id, user_id: userId, name, public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter, transports: (info.credential.transports ?? []).join(' '),
        backed_up: info.credentialBackedUp ? 1 : 0, created_at: now, last_used_at: null,
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) return 'this authenticator is already registered';
      throw err;
    }
    return passkey;
  }

  /** Options for navigator.credentials.get(): no allowCredentials (discoverable credentials), so no username is needed. */
  async authenticationOptions() {
    const options = await generateAuthenticationOptions({ rpID: this.rpId, userVerification: 'preferred' });
    return { challengeId: await this.storeChallenge('authenticate', null, options.challenge), options };
  }

  /**
   * Verifies an assertion. `requireUserVerification`: true for a passwordless login (the
   * passkey is both factors: possession and PIN/biometric), false when it is the second factor.
   * `expectUserId` (second factor): the passkey must belong to the user who gave the password.
   */
  async authenticate(answer: CeremonyAnswer<AuthenticationResponseJSON>, options: { requireUserVerification: boolean; expectUserId?: string }): Promise<PasskeyLogin> {
    const challenge = await this.consumeChallenge(answer.challengeId, 'authenticate', null);
    if (!challenge) return { ok: false, reason: 'unknown, used or expired challenge' };
    const row = await this.db.selectFrom('webauthn_credentials').selectAll().where('id', '=', String(answer.response.id ?? '')).executeTakeFirst();
    if (!row) return { ok: false, reason: 'unknown passkey' };
    if (options.expectUserId !== undefined && row.user_id !== options.expectUserId) return { ok: false, reason: 'passkey of another user' };
    try {
      const result = await verifyAuthenticationResponse({
        response: answer.response, expectedChallenge: challenge, expectedOrigin: this.originOf(answer.response), expectedRPID: this.rpId,
        credential: { id: row.id, publicKey: Buffer.from(row.public_key, 'base64url'), counter: Number(row.counter), transports: row.transports.split(' ').filter(Boolean) },
        requireUserVerification: options.requireUserVerification,
      });
      if (!result.verified) return { ok: false, reason: 'assertion not verified' };
      // Only move the counter forward: two concurrent assertions cannot both store theirs.
      const updated = await this.db.updateTable('webauthn_credentials')
        .set({ counter: result.authenticationInfo.newCounter, last_used_at: this.clock() })
        .where('id', '=', row.id).where('counter', '=', row.counter).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return { ok: false, reason: 'concurrent use of one passkey' };
    } catch (err) {
      return { ok: false, reason: `assertion refused: ${(err as Error).message}` };
    }
    return { ok: true, userId: row.user_id, credentialId: row.id };
  }

  async list(userId: string): Promise<Passkey[]> {
    const rows = await this.db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at), backedUp: Number(r.backed_up) === 1 }));
  }

  async count(userId: string): Promise<number> {
    const r = await this.db.selectFrom('webauthn_credentials').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Removes one of the user's passkeys; false if the user has no such passkey. */
  async remove(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('webauthn_credentials').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  private async storeChallenge(purpose: string, userId: string | null, challenge: string): Promise<string> {
    const now = this.clock();
    await this.db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
    const id = newId();
    await this.db.insertInto('webauthn_challenges').values({ id, purpose, user_id: userId, challenge, expires_at: now + CHALLENGE_TTL_MS }).execute();
    return id;
  }

  /** Takes a challenge out of the store (one DELETE: of two concurrent uses, one wins). */
  private async consumeChallenge(id: string, purpose: string, userId: string | null): Promise<string | undefined> {
    const row = await this.db.selectFrom('webauthn_challenges').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const deleted = await this.db.deleteFrom('webauthn_challenges').where('id', '=', id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) return undefined;
    if (row.purpose !== purpose || row.user_id !== userId || Number(row.expires_at) <= this.clock()) return undefined;
    return row.challenge;
  }

  /**
   * The origin the browser signed, if it is an HTTPS origin on the RP id's host (any port):
   * the browser only lets pages of that host use this RP id, so this is the phishing check.
   */
  private originOf(response: { response: { clientDataJSON: string } }): string {
    const client = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { origin?: unknown };
    const origin = typeof client.origin === 'string' && URL.canParse(client.origin) ? new URL(client.origin) : undefined;
    if (!origin || origin.protocol !== 'https:' || origin.hostname !== this.rpId) throw new Error(`origin ${String(client.origin).slice(0, 100)} is not https://${this.rpId}`);
    return origin.origin;
  }
}
