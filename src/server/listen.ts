// Listening on a Redis `bind` list, for the client port (server.ts) and the cluster bus
// (cluster/bus.ts): a leading '-' makes an address optional (skipped when it cannot be
// bound), '*' and '::*' mean every IPv4 / IPv6 address.

import net from 'node:net';

export interface BindListOptions {
  /** net.createServer's options (noDelay...). */
  server?: net.ServerOpts;
  /** listen()'s `exclusive`. */
  exclusive?: boolean;
  /** A server is listening (once per address bound). */
  listening(server: net.Server): void;
  /** An optional address could not be bound: `address` as written (without '-'), `host` as tried. */
  optionalFailed(address: string, host: string, err: Error): void;
}

/**
 * Listens on `port` on each address of `addresses`; returns how many servers listen.
 * Throws the error of a required address that could not be bound.
 */
export async function listenOnBindList(
  port: number,
  addresses: readonly string[],
  onConnection: (socket: net.Socket) => void,
  opts: BindListOptions,
): Promise<number> {
  let bound = 0;
  for (const raw of addresses) {
    const optional = raw.startsWith('-');
    const address = optional ? raw.slice(1) : raw;
    const host = address === '*' ? '0.0.0.0' : address === '::*' ? '::' : address;
    const srv = net.createServer(opts.server ?? {}, onConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ port, host, exclusive: opts.exclusive ?? false }, () => {
          srv.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      if (!optional) throw err;
      opts.optionalFailed(address, host, err as Error);
      continue;
    }
    opts.listening(srv);
    bound++;
  }
  return bound;
}
