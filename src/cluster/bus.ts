// The cluster bus transport: a TCP server on the bus port for links from peers, outgoing
// links to peers, and message framing over both. It knows nothing of the cluster's rules:
// every decoded message goes to the handler. A peer that sends garbage (bad magic, length
// or checksum, undecodable fields) is logged and its link closed; the node carries on.

import net from 'node:net';
import type { Logger } from '../log';
import { BusFrameReader, BusProtocolError, type BusMessage } from './bus-message';
import type { ClusterNode } from './node-table';
import { listenOnBindList } from '../server/listen';

export interface BusHandler {
  message(link: Link, msg: BusMessage): void;
  /** An outgoing link finished connecting: the handler sends its first PING or MEET. */
  connected(link: Link): void;
  closed(link: Link): void;
}

/** Strips the IPv4-mapped prefix Node gives dual-stack sockets ("::ffff:127.0.0.1"). */
export function plainIp(addr: string | undefined): string {
  if (addr === undefined) return '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

/** One TCP connection of the bus: outgoing (to `node`) or incoming (node learnt from messages). */
export class Link {
  readonly createdAt = Date.now();
  private readonly reader = new BusFrameReader();
  closed = false;
  /** Bytes queued on the socket not yet written (CLUSTER LINKS send-buffer-used). */
  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  constructor(
    readonly socket: net.Socket,
    readonly inbound: boolean,
    public node: ClusterNode | null,
    private readonly bus: Bus,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    socket.on('error', (err) => {
      this.bus.log.debug({ err: err.message, peer: this.peer }, 'cluster bus link error');
      this.close();
    });
    socket.on('close', () => this.close());
  }

  get peer(): string {
    return `${plainIp(this.socket.remoteAddress)}:${this.socket.remotePort ?? 0}`;
  }

  /** The local address of the socket: how the peer reaches us (learning our own ip). */
  get localIp(): string {
    return plainIp(this.socket.localAddress);
  }

  get remoteIp(): string {
    return plainIp(this.socket.remoteAddress);
  }

  send(frame: Buffer): void {
    if (!this.closed) this.socket.write(frame);
  }

  private data(chunk: Buffer): void {
    if (this.closed) return;
    let messages: BusMessage[];
    try {
      messages = this.reader.push(chunk);
    } catch (err) {
      // Whatever a peer sends must not take the node down: drop the link and say why.
      const reason = err instanceof BusProtocolError ? err.message : `decoder failure: ${String(err)}`;
      this.bus.log.warn({ peer: this.peer, reason }, 'dropping cluster bus link: malformed message');
      this.close();
      return;
    }
    for (const m of messages) {
      if (this.closed) return;
      this.bus.handler.message(this, m);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.bus.links.delete(this);
    this.bus.handler.closed(this);
  }
}

export class Bus {
  readonly links = new Set<Link>();
  private readonly servers: net.Server[] = [];

  constructor(
    readonly handler: BusHandler,
    readonly log: Logger,
  ) {}

  /** Listens on `port` on each address of the client port's bind list (Redis syntax). */
  async listen(port: number, hosts: readonly string[]): Promise<void> {
    const onConnection = (socket: net.Socket): void => {
      this.links.add(new Link(socket, true, null, this));
    };
    const bound = await listenOnBindList(port, hosts.length === 0 ? ['*'] : hosts, onConnection, {
      listening: (server) => {
        server.on('error', (err) => this.log.error({ err: err.message }, 'cluster bus listener error'));
        this.servers.push(server);
      },
      optionalFailed: (_address, host, err) => this.log.warn({ host, err: err.message }, 'optional cluster bus address unavailable'),
    });
    if (bound === 0) throw new Error('no address to listen on for the cluster bus');
  }

  /** Opens an outgoing link to `node`'s bus address. */
  connect(node: ClusterNode): Link {
    const socket = net.connect({ host: node.ip, port: node.cport });
    const link = new Link(socket, false, node, this);
    this.links.add(link);
    socket.once('connect', () => {
      if (!link.closed) this.handler.connected(link);
    });
    return link;
  }

  close(): void {
    for (const s of this.servers) s.close();
    for (const l of [...this.links]) l.close();
  }
}
