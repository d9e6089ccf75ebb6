import macaroon, { type Macaroon } from 'macaroon';

/**
 * Gatehouse capability tokens in the macaroon format shared by the libmacaroons family
 * (libmacaroons, pymacaroons, go-macaroon, js-macaroon): V2 binary, base64url without
 * padding. The identifier names the root key's id (so key rotation keeps old tokens
 * verifiable) and the capability id (so revocation is a lookup).
 */
export const CAPABILITY_LOCATION = 'gatehouse';
const IDENTIFIER = /^gh1 ([A-Za-z0-9_-]{1,80}) ([A-Za-z0-9_-]{1,64})$/;

export interface CapabilityIdentifier {
  readonly keyId: string;
  readonly capabilityId: string;
}

/** Mints a macaroon under `rootKey` with the given first-party caveats; returns the token. */
export function mintToken(rootKey: Uint8Array, id: CapabilityIdentifier, caveats: readonly string[]): string {
  const m = macaroon.newMacaroon({
    version: 2,
    rootKey,
    identifier: `gh1 ${id.keyId} ${id.capabilityId}`,
    location: CAPABILITY_LOCATION,
  });
  for (const c of caveats) m.addFirstPartyCaveat(c);
  return macaroon.bytesToBase64(encodeV2Binary(m));
}

/** Decodes a token (V2 binary, or libmacaroons V1 binary); throws on anything malformed. */
export function decodeToken(token: string): Macaroon {
  const bytes = macaroon.base64ToBytes(token);
  if (bytes[0] === 2) return macaroon.importMacaroon(bytes);
  return macaroon.importMacaroon(decodeV1Binary(bytes));
}

/** The key id and capability id in a macaroon's identifier; undefined if it is not ours. */
export function parseIdentifier(m: Macaroon): CapabilityIdentifier | undefined {
  const match = IDENTIFIER.exec(Buffer.from(m.identifier).toString('utf8'));
  return match ? { keyId: match[1]!, capabilityId: match[2]! } : undefined;
}

/**
 * Checks the signature chain under `rootKey` and returns the first-party caveats, which
 * the caller then interprets. Third-party caveats are refused: Gatehouse issues none.
 */
export function verifySignature(m: Macaroon, rootKey: Uint8Array): { ok: true; caveats: string[] } | { ok: false; reason: string } {
  if (m.caveats.some((c) => c.vid !== undefined)) return { ok: false, reason: 'third-party caveats are not supported' };
  const caveats: string[] = [];
  try {
    m.verify(rootKey, (condition) => {
      caveats.push(condition);
      return null; // interpreted after the signature holds (effectiveRights)
    });
  } catch {
    return { ok: false, reason: 'macaroon signature does not verify' };
  }
  return { ok: true, caveats };
}

/** Appends first-party caveats without any key (offline attenuation); returns the new token. */
export function appendCaveats(token: string, caveats: readonly string[]): string {
  const m = decodeToken(token);
  for (const c of caveats) m.addFirstPartyCaveat(c);
  return macaroon.bytesToBase64(encodeV2Binary(m));
}

/** The first-party caveats of a token, unverified (for tools that display or narrow a token). */
export function readCaveats(token: string): string[] {
  return decodeToken(token).caveats.filter((c) => c.vid === undefined).map((c) => Buffer.from(c.identifier).toString('utf8'));
}

/**
 * libmacaroons' V1 binary format (js-macaroon reads only its JSON form): packets of a
 * 4-hex-digit length (counting itself and the newline), then `key value\n`.
 */
export function decodeV1Binary(bytes: Uint8Array): Record<string, unknown> {
  const buf = Buffer.from(bytes);
  const out: { location?: string; identifier?: string; signature?: string; caveats: { cid: string; vid?: string; cl?: string }[] } = { caveats: [] };
  let offset = 0;
  while (offset < buf.length) {
    const size = Number.parseInt(buf.subarray(offset, offset + 4).toString('ascii'), 16);
    if (!Number.isInteger(size) || size < 6 || offset + size > buf.length || buf[offset + size - 1] !== 0x0a) throw new Error('malformed V1 packet');
    const packet = buf.subarray(offset + 4, offset + size - 1);
    const space = packet.indexOf(0x20);
    if (space < 0) throw new Error('malformed V1 packet');
    const key = packet.subarray(0, space).toString('ascii');
    const value = packet.subarray(space + 1);
    const last = out.caveats[out.caveats.length - 1];
    if (key === 'location') out.location = value.toString('utf8');
    else if (key === 'identifier') out.identifier = value.toString('utf8');
    else if (key === 'signature') out.signature = value.toString('hex');
    else if (key === 'cid') out.caveats.push({ cid: value.toString('utf8') });
    else if (key === 'vid' && last) last.vid = value.toString('base64');
    else if (key === 'cl' && last) last.cl = value.toString('utf8');
    else throw new Error(`unexpected V1 field ${key}`);
    offset += size;
  }
  if (out.identifier === undefined || out.signature === undefined) throw new Error('V1 macaroon without identifier or signature');
  return out;
}

/**
 * The V2 binary format (field type, uvarint length, data; 0 ends a section). Written here
 * because js-macaroon 3.0.4's exportBinary doubles its buffer on every byte appended
 * (ByteBuffer._grow compares with an undefined capacity): a token with a few caveats
 * would allocate gigabytes.
 */
export function encodeV2Binary(m: Macaroon): Uint8Array {
  const parts: Buffer[] = [Buffer.from([2])];
  const field = (type: number, data: Uint8Array) => parts.push(Buffer.from([type]), uvarint(data.length), Buffer.from(data));
  const eos = () => parts.push(Buffer.from([0]));
  if (m.location) field(1, Buffer.from(m.location, 'utf8'));
  field(2, m.identifier);
  eos();
  for (const c of m.caveats) {
    if (c.location) field(1, Buffer.from(c.location, 'utf8'));
    field(2, c.identifier);
    if (c.vid) field(4, c.vid);
    eos();
  }
  eos();
  field(6, m.signature);
  return Buffer.concat(parts);
}

function uvarint(n: number): Buffer {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}
