import type { Kysely } from 'kysely';
import QRCode from 'qrcode';
import type { Clock } from '../../clock.ts';
import { decryptValue, encryptValue } from '../../crypto/aead.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { newId } from '../../crypto/random.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { DatabaseSchema } from '../../store/schema.ts';
import { generateRecoveryCode, hashRecoveryCode, looksLikeRecoveryCode, RECOVERY_CODE_COUNT } from './recoveryCodes.ts';
import { DEFAULT_TOTP_PARAMS, generateTotpSecret, otpauthUri, TOTP_WINDOW, verifyTotp } from './totp.ts';
import type { UsedOtpStore } from './UsedOtpStore.ts';

/** Binds a stored secret to its row and user: a ciphertext copied to another row fails to decrypt. */
export function secretAssociatedData(rowId: string, userId: string): string {
  return `totp_credentials:${rowId}:${userId}`;
}

/** How long a used step must be remembered: until it can no longer fall inside the window. */
const USED_STEP_TTL_MS = (2 * TOTP_WINDOW + 1) * DEFAULT_TOTP_PARAMS.periodSeconds * 1000;

/**
 * TOTP enrolment and second-factor checks. The secret is encrypted at rest with the keyring's
 * `totp` key; recovery codes are stored hashed and used at most once; every accepted TOTP
 * code is claimed in the UsedOtpStore, so it cannot be replayed.
 */
export class MfaService {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly keyring: Keyring,
    private readonly usedOtps: UsedOtpStore,
    private readonly clock: Clock,
  ) {}

  /** Whether the user has confirmed TOTP (and so needs a second factor at login). */
  async totpEnabled(userId: string): Promise<boolean> {
    const row = await this.db.selectFrom('totp_credentials').select('confirmed_at').where('user_id', '=', userId).executeTakeFirst();
    return row !== undefined && row.confirmed_at !== null;
  }

  /** Starts (or restarts) an enrolment; 409 while TOTP is on (turn it off first, with a code). */
  async startTotpEnrolment(userId: string, username: string): Promise<{ otpauthUri: string; secret: string; qrCodeSvg: string }> {
    if (await this.totpEnabled(userId)) {
      throw new GatehouseError('conflict', { detail: 'TOTP is already on; turn it off first', auditReason: 'mfa: enrolment while TOTP is on' });
    }
    const secret = generateTotpSecret();
    const id = newId();
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('totp_credentials').where('user_id', '=', userId).execute();
      await tx.insertInto('totp_credentials').values({
        id, user_id: userId, secret_encrypted: encryptValue(this.keyring, 'totp', secret, secretAssociatedData(id, userId)),
        created_at: this.clock(), confirmed_at: null,
      }).execute();
    });
    const uri = otpauthUri(secret, username);
    return { otpauthUri: uri, secret, qrCodeSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
  }

  /** Confirms a pending enrolment with its first code; returns fresh recovery codes (shown once), or undefined for a wrong code. */
  async confirmTotp(userId: string, code: string): Promise<string[] | undefined> {
    const row = await this.totpRow(userId);
    if (!row || row.confirmed_at !== null) {
      throw new GatehouseError('conflict', { detail: 'No TOTP enrolment is waiting for confirmation', auditReason: 'mfa: confirm without pending enrolment' });
    }
    if (!(await this.acceptTotp(userId, row, code))) return undefined;
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    const now = this.clock();
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('totp_credentials').set({ confirmed_at: now }).where('id', '=', row.id).execute();
      await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await tx.insertInto('recovery_codes')
        .values(codes.map((c) => ({ id: newId(), user_id: userId, code_hash: hashRecoveryCode(c), created_at: now, used_at: null })))
        .execute();
    });
    return codes;
  }

  /** Turns TOTP off; needs a current code (or an unused recovery code, for a lost device). False for a wrong code. */
  async disableTotp(userId: string, code: string): Promise<boolean> {
    if (!(await this.totpEnabled(userId))) throw new GatehouseError('not_found', { detail: 'TOTP is not on', auditReason: 'mfa: disable while TOTP is off' });
    if (!(await this.verifySecondFactor(userId, code))) return false;
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('totp_credentials').where('user_id', '=', userId).execute();
      await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    });
    return true;
  }

  /** Checks a login's second factor: a current, unused TOTP code, or an unused recovery code (then spent). */
  async verifySecondFactor(userId: string, otp: string): Promise<boolean> {
    if (looksLikeRecoveryCode(otp)) return this.spendRecoveryCode(userId, otp);
    const row = await this.totpRow(userId);
    if (!row || row.confirmed_at === null) return false;
    return this.acceptTotp(userId, row, otp);
  }

  /** Unused recovery codes left (for the account page). */
  async recoveryCodesLeft(userId: string): Promise<number> {
    const r = await this.db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  private totpRow(userId: string) {
    return this.db.selectFrom('totp_credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  private async acceptTotp(userId: string, row: { id: string; secret_encrypted: string }, code: string): Promise<boolean> {
    const now = this.clock();
    const secret = decryptValue(this.keyring, 'totp', row.secret_encrypted, secretAssociatedData(row.id, userId));
    const step = verifyTotp(secret, code, now);
    if (step === undefined) return false;
    return this.usedOtps.claim(userId, step, now, USED_STEP_TTL_MS);
  }

  /** One UPDATE … WHERE used_at IS NULL: two concurrent uses of one code cannot both succeed. */
  private async spendRecoveryCode(userId: string, typed: string): Promise<boolean> {
    const result = await this.db.updateTable('recovery_codes').set({ used_at: this.clock() })
      .where('user_id', '=', userId).where('code_hash', '=', hashRecoveryCode(typed)).where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
