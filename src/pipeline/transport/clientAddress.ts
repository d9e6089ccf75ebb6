import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** Whether the hop at `address` (0: the socket's peer) is a proxy whose X-Forwarded-For is believed. */
export type TrustedProxies = (address: string, hop: number) => boolean;

/**
 * The GATEHOUSE_TRUST_PROXY list compiled once, exactly as Fastify compiles its `trustProxy`
 * array (@fastify/proxy-addr: addresses, CIDRs, `loopback`...); undefined when no proxy is trusted.
 */
export function trustedProxies(list: readonly string[]): TrustedProxies | undefined {
  return list.length > 0 ? proxyAddr.compile([...list]) : undefined;
}

/**
 * THE client address of a request, for every stage that needs one (transport, and the
 * pre-routing fast path, which must see the very address the rate limiter charged): the
 * socket's peer, or, when that peer is a trusted proxy, the nearest X-Forwarded-For entry not
 * itself a trusted proxy (as Fastify's `request.ip`). IPv4-mapped IPv6 (`::ffff:1.2.3.4`)
 * counts as the IPv4 address.
 */
export function clientAddressOf(raw: IncomingMessage, trusted: TrustedProxies | undefined): string {
  if (trusted === undefined) return normalizeAddress(raw.socket?.remoteAddress);
  const hops = proxyAddr.all(raw, trusted);
  return normalizeAddress(hops[hops.length - 1]);
}

/** IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is the same client as `1.2.3.4`. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
