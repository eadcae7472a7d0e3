import net from 'node:net';

/**
 * A port on 127.0.0.1 that was free a moment ago: the OS picks it, the caller's process (ssh,
 * sshd) binds it next, and retries if another process took it in between.
 *
 * @example
 * ```ts
 * const port = await freeLocalPort(); // e.g. 41237
 * ```
 */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
