import ipaddr from 'ipaddr.js';

/** Leading bits that make an address range: IPv4 /24 and IPv6 /56 by default. */
export interface RangePrefix {
  readonly v4: number;
  readonly v6: number;
}

/**
 * The network an address belongs to, for the per-range limit (MISSION §2: a distributed
 * attack comes from many addresses, so limits must apply to groups of clients). IPv6 /56 is
 * a typical customer allocation: one customer's many addresses count as one. IPv4-mapped
 * IPv6 addresses count as IPv4, so `::ffff:1.2.3.4` cannot dodge its IPv4 range. Pure;
 * unparseable input is its own range.
 */
export function rangeOf(address: string, prefix: RangePrefix): string {
  const fast = dottedQuadRange(address, prefix.v4);
  if (fast !== undefined) return fast;
  if (!ipaddr.isValid(address)) return `other:${address}`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const bits = parsed.kind() === 'ipv4' ? prefix.v4 : prefix.v6;
  const bytes = parsed.toByteArray();
  const masked = bytes.map((b, i) => {
    const keep = Math.min(8, Math.max(0, bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return `${ipaddr.fromByteArray(masked).toString()}/${bits}`;
}

/** Plain decimal dotted quad, no leading zeros (ipaddr.js reads `010` as octal: those take the slow path). */
const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * rangeOf for the common case, an ordinary IPv4 address, without ipaddr.js. Why: parsing
 * with ipaddr.js on every request was ~6% of the CPU of a rate-limited 429 (bench profile of
 * gatehouse-rejected). Gives exactly what the general path gives (tested against it);
 * undefined for anything else.
 */
function dottedQuadRange(address: string, bits: number): string | undefined {
  const m = DOTTED_QUAD.exec(address);
  if (!m) return undefined;
  const value = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const mask = bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  const masked = (value & mask) >>> 0;
  return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${bits}`;
}
