import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * What a key is for. One key per purpose, so a leak of one does not expose the others.
 * A purpose added later (`device-cookie`) is generated into an existing keyring file on the
 * next load (`withMissingPurposes`), so upgrading needs no manual step.
 */
export const KEY_PURPOSES = ['audit-mac', 'capability-root', 'csrf', 'at-rest', 'totp', 'device-cookie'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

export interface KeyEntry {
  readonly id: string;
  readonly purpose: KeyPurpose;
  readonly createdAt: string;
  readonly key: Buffer;
}

interface KeyringFile {
  version: 1;
  current: Record<KeyPurpose, string>;
  keys: { id: string; purpose: KeyPurpose; createdAt: string; key: string }[];
}

/**
 * The server's keys, each with an id so that rotation keeps old data readable.
 * Generated on first start into a 0600 file; every instance of a deployment shares it.
 */
export class Keyring {
  private constructor(
    private entries: ReadonlyMap<string, KeyEntry>,
    private currentIds: Readonly<Record<KeyPurpose, string>>,
  ) {}

  /** Rereads the keyring file in place (SIGHUP after `gatehouse keys rotate`): new data gets the new keys, old keys still decrypt. */
  reload(file: string): void {
    assertPrivate(file);
    const fresh = Keyring.fromJson(fs.readFileSync(file, 'utf8'), file);
    this.entries = fresh.entries;
    this.currentIds = fresh.currentIds;
  }

  /** Key ids and dates, never key material (for `gatehouse keys list`). */
  describe(): { id: string; purpose: KeyPurpose; createdAt: string; current: boolean }[] {
    return [...this.entries.values()].map((k) => ({ id: k.id, purpose: k.purpose, createdAt: k.createdAt, current: this.currentIds[k.purpose] === k.id }));
  }

  /**
   * Adds a fresh key for each purpose and makes it current, keeping the old ones for
   * verifying and decrypting existing data. The file is replaced atomically (0600).
   */
  static rotate(file: string, purposes: readonly KeyPurpose[], now: Date = new Date()): KeyEntry[] {
    assertPrivate(file);
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyringFile;
    Keyring.fromJson(JSON.stringify(data), file); // refuse to rotate a keyring we could not load
    const added = purposes.map((purpose) => newKey(purpose, now));
    for (const k of added) {
      data.keys.push(k);
      data.current[k.purpose] = k.id;
    }
    writeAtomically(file, data);
    return added.map((k) => ({ id: k.id, purpose: k.purpose, createdAt: k.createdAt, key: Buffer.from(k.key, 'base64url') }));
  }

  /** The key new data of this purpose is protected with. */
  current(purpose: KeyPurpose): KeyEntry {
    const entry = this.entries.get(this.currentIds[purpose]);
    if (!entry) throw new Error(`keyring has no current ${purpose} key`);
    return entry;
  }

  /** A key by id (for verifying or decrypting old data); undefined if unknown. */
  byId(id: string): KeyEntry | undefined {
    return this.entries.get(id);
  }

  /** A key by id only if it belongs to `purpose`: a key id taken from client input never selects another purpose's key. */
  byIdFor(purpose: KeyPurpose, id: string): KeyEntry | undefined {
    const entry = this.entries.get(id);
    return entry?.purpose === purpose ? entry : undefined;
  }

  /** Loads the keyring file, creating it (0600) with fresh keys if it does not exist. */
  static loadOrCreate(file: string, now: Date = new Date()): Keyring {
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const data = freshKeyringFile(now);
      // 'wx': never overwrite a keyring another instance created a moment ago.
      try {
        fs.writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    assertPrivate(file);
    return Keyring.fromJson(withMissingPurposes(file, now), file);
  }

  /** An in-memory keyring with fresh keys (tests, tools). */
  static ephemeral(now: Date = new Date()): Keyring {
    return Keyring.fromJson(JSON.stringify(freshKeyringFile(now)), '(memory)');
  }

  private static fromJson(json: string, source: string): Keyring {
    const data = JSON.parse(json) as KeyringFile;
    if (data.version !== 1 || !Array.isArray(data.keys)) throw new Error(`${source}: not a Gatehouse keyring`);
    const entries = new Map<string, KeyEntry>();
    for (const k of data.keys) {
      const key = Buffer.from(k.key, 'base64url');
      if (key.length < 32) throw new Error(`${source}: key ${k.id} is shorter than 256 bits`);
      entries.set(k.id, { id: k.id, purpose: k.purpose, createdAt: k.createdAt, key });
    }
    for (const purpose of KEY_PURPOSES) {
      const id = data.current?.[purpose];
      if (!id || entries.get(id)?.purpose !== purpose) throw new Error(`${source}: no current ${purpose} key`);
    }
    return new Keyring(entries, data.current);
  }
}

function newKey(purpose: KeyPurpose, now: Date) {
  return { id: `${purpose}-${randomBytes(6).toString('base64url')}`, purpose, createdAt: now.toISOString(), key: randomBytes(32).toString('base64url') };
}

/**
 * Gives a keyring written before a purpose existed a current key for it (atomic replace,
 * 0600), leaving every existing key untouched. Run where the keyring is loaded from disk:
 * at start and by the `keys` commands. Returns the keyring's text as stored now: the file is
 * read once, so what is loaded is what was checked and extended.
 */
function withMissingPurposes(file: string, now: Date): string {
  const text = fs.readFileSync(file, 'utf8');
  const data = JSON.parse(text) as KeyringFile;
  if (data.version !== 1 || !Array.isArray(data.keys) || typeof data.current !== 'object' || data.current === null) return text; // fromJson reports it
  const missing = KEY_PURPOSES.filter((p) => !data.keys.some((k) => k.purpose === p));
  if (!missing.length) return text;
  for (const purpose of missing) {
    const k = newKey(purpose, now);
    data.keys.push(k);
    data.current[purpose] = k.id;
  }
  return writeAtomically(file, data);
}

/** Replaces the file (0600, temporary file then rename); returns the text written. */
function writeAtomically(file: string, data: KeyringFile): string {
  const text = JSON.stringify(data, null, 2);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
  return text;
}

function freshKeyringFile(now: Date): KeyringFile {
  const keys = KEY_PURPOSES.map((purpose) => newKey(purpose, now));
  const current = Object.fromEntries(keys.map((k) => [k.purpose, k.id])) as Record<KeyPurpose, string>;
  return { version: 1, current, keys };
}

/** Refuses key material that other OS users can read (threat: local disclosure). */
export function assertPrivate(file: string): void {
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(`${file} is readable or writable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  }
}
