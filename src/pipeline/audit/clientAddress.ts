import ipaddr from 'ipaddr.js';

/** How many leading bits of a client address the audit log keeps (32 / 128: all of it). */
export interface AddressPrefix {
  readonly v4: number;
  readonly v6: number;
}

/**
 * The client address as the audit log records it: truncated to the configured prefix
 * (GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4/_V6), written as a network, e.g. `203.0.113.0/24`, so an
 * operator can trade the log's personal data (GDPR: an IP address is personal data) against
 * how precisely it identifies a client. Anything that is not an address is kept as it is.
 */
export function truncateAddress(address: string, prefix: AddressPrefix): string {
  if (prefix.v4 >= 32 && prefix.v6 >= 128) return address; // the default: no parsing on the hot path
  if (!ipaddr.isValid(address)) return address;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const bits = ip.kind() === 'ipv4' ? prefix.v4 : prefix.v6;
  const bytes = ip.toByteArray();
  if (bits >= bytes.length * 8) return address;
  const masked = bytes.map((byte, i) => {
    const keep = Math.min(8, Math.max(0, bits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return `${ipaddr.fromByteArray(masked).toString()}/${bits}`;
}
