import type { Server } from 'node:net';

/**
 * A cap on open connections per client address (issue 6 §5): one address cannot hold every
 * socket the server has (slowloris opens hundreds). Counted on the raw TCP 'connection' event,
 * before the TLS handshake is spent on it; an excess socket is destroyed at once. The peer
 * address is the socket's, so a proxy's clients share it: raise the cap behind a proxy.
 */
export function limitConnectionsPerAddress(server: Server, max: number): { open(address: string): number } {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return { open: (address) => open.get(address) ?? 0 };
}
