import ipaddr from 'ipaddr.js';

/**
 * The network an address belongs to, for limits on groups of clients (MISSION §2: a
 * distributed attack comes from many addresses): IPv4 /24, IPv6 /56 (a typical customer
 * allocation, so one customer's many addresses count as one). IPv4-mapped IPv6 addresses
 * count as IPv4. Pure; unparseable input is its own range.
 */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address)) return `other:${address}`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') {
    const o = (parsed as ipaddr.IPv4).octets;
    return `${o[0]}.${o[1]}.${o[2]}.0/24`;
  }
  const bytes = (parsed as ipaddr.IPv6).toByteArray().slice(0, 7).concat(new Array(9).fill(0));
  return `${ipaddr.fromByteArray(bytes).toString()}/56`;
}
