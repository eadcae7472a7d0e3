import net from 'node:net';

/**
 * Asks the kernel for a free loopback port. Inherently racy (someone may grab it before
 * sshd binds), so callers retry sshd start-up with a fresh port on EADDRINUSE.
 */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('kernel returned no port'))));
    });
  });
}
