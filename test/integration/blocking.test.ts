// Blocking list commands with several clients, each situation played against redis-server
// 7.0 and Cinnabar and the transcripts (which connection got which reply, in which order)
// compared: FIFO serving, multiple keys, timeouts, BLMOVE chains, keys replaced by another
// type while clients wait, CLIENT UNBLOCK, disconnects, pipelined commands behind a blocked
// one, transactions, databases, SWAPDB, RENAME onto a waited key, idle timeout,
// INFO blocked_clients.

import t from 'tap';
import { poll, startCinnabar, startRedis } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

/** A multi-connection script run against one server, recording what each connection receives. */
class Session {
  readonly transcript: string[] = [];
  private readonly conns = new Map<number, RawConnection>();
  private admin: RawConnection | null = null;

  constructor(readonly port: number) {}

  async conn(i: number): Promise<RawConnection> {
    let c = this.conns.get(i);
    if (c === undefined) {
      c = await RawConnection.connect(this.port);
      this.conns.set(i, c);
    }
    return c;
  }

  async send(i: number, ...args: string[]): Promise<void> {
    (await this.conn(i)).send(...args);
  }

  /** Reads one reply of connection i into the transcript. */
  async read(i: number, ms = 5000): Promise<string> {
    const r = await (await this.conn(i)).reply(ms);
    this.transcript.push(`${i}: ${r}`);
    return r;
  }

  async call(i: number, ...args: string[]): Promise<string> {
    await this.send(i, ...args);
    return this.read(i);
  }

  /** Records whether connection i received nothing within `ms`. */
  async nothing(i: number, ms = 150): Promise<void> {
    const c = await this.conn(i);
    try {
      const r = await c.reply(ms);
      this.transcript.push(`${i}: unexpected ${r}`);
    } catch {
      this.transcript.push(`${i}: (nothing)`);
    }
  }

  private async adminConn(): Promise<RawConnection> {
    this.admin ??= await RawConnection.connect(this.port);
    return this.admin;
  }

  /** INFO clients blocked_clients. */
  async blockedClients(): Promise<number> {
    const info = await (await this.adminConn()).call('INFO', 'clients');
    return Number(/blocked_clients:(\d+)/.exec(info)![1]);
  }

  /** Waits until exactly `n` clients are blocked (recorded, so a count that never comes shows). */
  async blocked(n: number, ms = 3000): Promise<void> {
    const { last } = await poll(() => this.blockedClients(), (now) => now === n, { timeoutMs: ms, intervalMs: 10 });
    this.transcript.push(`blocked_clients: ${last}`);
  }

  async id(i: number): Promise<string> {
    const r = await (await this.conn(i)).call('CLIENT', 'ID');
    return r.slice(1, -2);
  }

  disconnect(i: number): void {
    this.conns.get(i)?.close();
    this.conns.delete(i);
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.admin?.close();
  }
}

type Script = (s: Session) => Promise<void>;

const scripts: Array<[string, Script]> = [
  [
    'clients blocked on a key are served in the order they blocked',
    async (s) => {
      for (const i of [1, 2, 3]) {
        await s.send(i, 'BLPOP', 'k', '0');
        await s.blocked(i);
      }
      await s.call(0, 'RPUSH', 'k', 'a', 'b');
      await s.read(1);
      await s.read(2);
      await s.nothing(3);
      await s.call(0, 'EXISTS', 'k');
      await s.call(0, 'LPUSH', 'k', 'c');
      await s.read(3);
      await s.blocked(0);
      await s.call(0, 'EXISTS', 'k');
    },
  ],
  [
    'a push of more elements than waiters leaves the rest; BRPOP takes from the tail',
    async (s) => {
      await s.send(1, 'BRPOP', 'k', '0');
      await s.blocked(1);
      await s.send(2, 'BLPOP', 'k', '0');
      await s.blocked(2);
      await s.call(0, 'RPUSH', 'k', 'a', 'b', 'c', 'd');
      await s.read(1);
      await s.read(2);
      await s.call(0, 'LRANGE', 'k', '0', '-1');
    },
  ],
  [
    'a client waits on several keys and is served by the first pushed',
    async (s) => {
      await s.send(1, 'BLPOP', 'k1', 'k2', 'k3', '0');
      await s.blocked(1);
      await s.call(0, 'RPUSH', 'k3', 'x');
      await s.read(1);
      await s.call(0, 'RPUSH', 'k1', 'y');
      await s.call(0, 'LRANGE', 'k1', '0', '-1');
      await s.blocked(0);
    },
  ],
  [
    'timeouts reply null arrays (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP)',
    async (s) => {
      await s.send(1, 'BLPOP', 'k', '0.2');
      await s.send(2, 'BRPOPLPUSH', 'k', 'd', '0.2');
      await s.send(3, 'BLMOVE', 'k', 'd', 'LEFT', 'RIGHT', '0.2');
      await s.send(4, 'BLMPOP', '0.2', '2', 'k', 'j', 'LEFT', 'COUNT', '2');
      await s.send(5, 'BRPOP', 'k', '0.2');
      await s.blocked(5);
      await s.nothing(1, 50);
      for (const i of [1, 2, 3, 4, 5]) await s.read(i);
      await s.blocked(0);
      await s.call(0, 'EXISTS', 'd');
    },
  ],
  [
    'timeouts in RESP3 reply null',
    async (s) => {
      await s.call(1, 'HELLO', '3').then(() => s.transcript.pop());
      await s.call(1, 'BLPOP', 'k', '0.05');
      await s.call(1, 'BLMOVE', 'k', 'd', 'LEFT', 'RIGHT', '0.05');
      await s.call(1, 'BLMPOP', '0.05', '1', 'k', 'RIGHT');
    },
  ],
  [
    'BLMOVE chains: each move serves the client waiting on its destination',
    async (s) => {
      await s.send(1, 'BLMOVE', 's1', 's2', 'LEFT', 'RIGHT', '0');
      await s.blocked(1);
      await s.send(2, 'BRPOPLPUSH', 's2', 's3', '0');
      await s.blocked(2);
      await s.send(3, 'BLPOP', 's3', '0');
      await s.blocked(3);
      await s.call(0, 'RPUSH', 's1', 'x', 'y');
      await s.read(1);
      await s.read(2);
      await s.read(3);
      await s.blocked(0);
      await s.call(0, 'LRANGE', 's1', '0', '-1');
      await s.call(0, 'EXISTS', 's2', 's3');
    },
  ],
  [
    'BLMOVE onto its own key rotates',
    async (s) => {
      await s.send(1, 'BLMOVE', 'k', 'k', 'RIGHT', 'LEFT', '0');
      await s.blocked(1);
      await s.call(0, 'RPUSH', 'k', 'a');
      await s.read(1);
      await s.call(0, 'LRANGE', 'k', '0', '-1');
    },
  ],
  [
    'BLMPOP with COUNT is served a range; a mix of waiters on one key stays FIFO',
    async (s) => {
      await s.send(1, 'BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '2');
      await s.blocked(1);
      await s.send(2, 'BLMOVE', 'b', 'c', 'LEFT', 'LEFT', '0');
      await s.blocked(2);
      await s.send(3, 'BLPOP', 'b', '0');
      await s.blocked(3);
      await s.call(0, 'RPUSH', 'b', '1', '2', '3', '4');
      await s.read(1);
      await s.read(2);
      await s.read(3);
      await s.call(0, 'LRANGE', 'c', '0', '-1');
      await s.call(0, 'EXISTS', 'b');
    },
  ],
  [
    'a key replaced by another type keeps its clients waiting',
    async (s) => {
      await s.send(1, 'BLPOP', 'k', '0');
      await s.blocked(1);
      await s.call(0, 'SET', 'k', 'string');
      await s.nothing(1);
      await s.blocked(1);
      await s.call(0, 'RPUSH', 'k', 'x');
      await s.call(0, 'DEL', 'k');
      await s.call(0, 'RPUSH', 'k', 'x');
      await s.read(1);
    },
  ],
  [
    'BLMOVE whose destination became another type is answered WRONGTYPE',
    async (s) => {
      await s.send(1, 'BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0');
      await s.blocked(1);
      await s.send(2, 'BLPOP', 'src', '0');
      await s.blocked(2);
      await s.call(0, 'SET', 'dst', 'string');
      await s.call(0, 'RPUSH', 'src', 'x');
      await s.read(1);
      await s.read(2);
      await s.call(0, 'EXISTS', 'src');
      await s.call(0, 'GET', 'dst');
    },
  ],
  [
    'RENAME onto a waited key serves its clients',
    async (s) => {
      await s.send(1, 'BLPOP', 'k', '0');
      await s.blocked(1);
      await s.call(0, 'RPUSH', 'tmp', 'a', 'b');
      await s.call(0, 'RENAME', 'tmp', 'k');
      await s.read(1);
      await s.call(0, 'LRANGE', 'k', '0', '-1');
    },
  ],
  [
    'clients wait on keys of their own database',
    async (s) => {
      await s.call(1, 'SELECT', '1');
      await s.send(1, 'BLPOP', 'k', '0');
      await s.blocked(1);
      await s.call(0, 'RPUSH', 'k', 'db0');
      await s.nothing(1);
      await s.call(0, 'SELECT', '1');
      await s.call(0, 'RPUSH', 'k', 'db1');
      await s.read(1);
      await s.call(0, 'SELECT', '0');
      await s.call(0, 'LLEN', 'k');
    },
  ],
  [
    'keys are handled after EXEC as a whole, never in the middle of a transaction',
    async (s) => {
      await s.send(1, 'BLPOP', 'k', '0');
      await s.blocked(1);
      await s.call(0, 'MULTI');
      await s.call(0, 'RPUSH', 'k', 'a');
      await s.call(0, 'LPOP', 'k');
      await s.call(0, 'EXEC');
      await s.nothing(1);
      await s.call(0, 'MULTI');
      await s.call(0, 'RPUSH', 'k', 'x');
      await s.call(0, 'RPUSH', 'k', 'y');
      await s.call(0, 'LLEN', 'k');
      await s.call(0, 'EXEC');
      await s.read(1);
      await s.call(0, 'LRANGE', 'k', '0', '-1');
      await s.call(2, 'MULTI');
      await s.call(2, 'BLPOP', 'none', '0');
      await s.call(2, 'BLMOVE', 'none', 'k', 'LEFT', 'LEFT', '0');
      await s.call(2, 'EXEC');
      await s.blocked(0);
    },
  ],
  [
    'SWAPDB brings a waited key in from the other database',
    async (s) => {
      await s.send(1, 'BLPOP', 'k', '0');
      await s.blocked(1);
      await s.call(0, 'SELECT', '1');
      await s.call(0, 'RPUSH', 'k', 'from-db1');
      await s.call(0, 'SWAPDB', '0', '1');
      await s.read(1);
      await s.call(0, 'SELECT', '0');
      await s.call(0, 'EXISTS', 'k');
    },
  ],
  [
    'CLIENT UNBLOCK: TIMEOUT replies null, ERROR replies UNBLOCKED, others answer 0',
    async (s) => {
      const id1 = await s.id(1);
      const id2 = await s.id(2);
      await s.send(1, 'BLPOP', 'k', '0');
      await s.send(2, 'BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0');
      await s.blocked(2);
      await s.call(0, 'CLIENT', 'UNBLOCK', id1);
      await s.read(1);
      await s.call(0, 'CLIENT', 'UNBLOCK', id2, 'ERROR');
      await s.read(2);
      await s.call(0, 'CLIENT', 'UNBLOCK', id1);
      await s.call(0, 'CLIENT', 'UNBLOCK', id2, 'timeout');
      await s.call(0, 'CLIENT', 'UNBLOCK', '999999');
      await s.call(0, 'CLIENT', 'UNBLOCK', id1, 'nope');
      await s.blocked(0);
      await s.call(1, 'PING');
      await s.call(0, 'RPUSH', 'k', 'x');
      await s.call(0, 'LLEN', 'k');
    },
  ],
  [
    'a client that disconnects while blocked is no longer served',
    async (s) => {
      await s.send(1, 'BLPOP', 'k', '0');
      await s.blocked(1);
      await s.send(2, 'BLPOP', 'k', '0');
      await s.blocked(2);
      s.disconnect(1);
      await s.blocked(1);
      await s.call(0, 'RPUSH', 'k', 'x');
      await s.read(2);
      await s.call(0, 'LLEN', 'k');
    },
  ],
  [
    'a client killed while blocked is no longer served',
    async (s) => {
      const id1 = await s.id(1);
      await s.send(1, 'BLPOP', 'k', '0');
      await s.blocked(1);
      await s.call(0, 'CLIENT', 'KILL', 'ID', id1);
      await s.call(0, 'RPUSH', 'k', 'x');
      await s.call(0, 'LLEN', 'k');
      await s.blocked(0);
    },
  ],
  [
    'pipelined commands after a blocking one wait for it',
    async (s) => {
      const c1 = await s.conn(1);
      c1.writeRaw('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLPOP\r\n$1\r\nk\r\n*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n');
      await s.blocked(1);
      await s.nothing(1);
      await s.call(0, 'GET', 'ctr');
      await s.call(0, 'RPUSH', 'k', 'a', 'b');
      await s.read(1);
      await s.read(1);
      await s.read(1);
      await s.read(1);
      await s.call(0, 'GET', 'ctr');
      await s.call(0, 'EXISTS', 'k');
    },
  ],
  [
    'a pipeline of two blocking commands blocks twice',
    async (s) => {
      const c1 = await s.conn(1);
      c1.writeRaw('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*3\r\n$5\r\nBRPOP\r\n$1\r\nk\r\n$1\r\n0\r\n');
      await s.blocked(1);
      await s.call(0, 'RPUSH', 'k', 'a');
      await s.read(1);
      await s.blocked(1);
      await s.call(0, 'RPUSH', 'k', 'b', 'c');
      await s.read(1);
      await s.call(0, 'LRANGE', 'k', '0', '-1');
    },
  ],
  [
    'a blocked client is not closed by the idle timeout',
    async (s) => {
      await s.call(0, 'CONFIG', 'SET', 'timeout', '1');
      await s.send(1, 'BLPOP', 'k', '0');
      await s.blocked(1);
      // The other connections stay busy; only the blocked one idles.
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 500));
        await (await s.conn(0)).call('PING');
        await s.blockedClients();
      }
      await s.call(0, 'CONFIG', 'SET', 'timeout', '0');
      await s.call(0, 'RPUSH', 'k', 'x');
      await s.read(1);
    },
  ],
];

t.test('blocking list commands against redis-server', async (t) => {
  const [redis, cinnabar] = await Promise.all([startRedis(t), startCinnabar(t)]);
  for (const [name, script] of scripts) {
    await t.test(name, async (t) => {
      const admin = await RawConnection.connect(redis.port);
      const adminC = await RawConnection.connect(cinnabar.port);
      await admin.call('FLUSHALL');
      await adminC.call('FLUSHALL');
      admin.close();
      adminC.close();
      const want = new Session(redis.port);
      const got = new Session(cinnabar.port);
      try {
        await Promise.all([script(want), script(got)]);
      } finally {
        want.close();
        got.close();
      }
      t.ok(want.transcript.length > 0, 'the script recorded replies');
      t.same(got.transcript, want.transcript, 'same replies in the same order as redis-server');
    });
  }
});

t.test('INFO clients counts blocked clients and those with a timeout', async (t) => {
  const node = await startCinnabar(t);
  const s = new Session(node.port);
  t.teardown(() => s.close());
  await s.send(1, 'BLPOP', 'k', '0');
  await s.send(2, 'BLPOP', 'k', '100');
  await s.blocked(2);
  const info = await (await s.conn(0)).call('INFO', 'clients');
  t.match(info, /blocked_clients:2\r\n/);
  t.match(info, /clients_in_timeout_table:1\r\n/);
  const list = await (await s.conn(0)).call('CLIENT', 'LIST');
  t.equal(list.match(/flags=b /g)?.length, 2, 'CLIENT LIST flags b');
  await s.call(0, 'RPUSH', 'k', 'a', 'b');
  await s.read(1);
  await s.read(2);
  const after = await (await s.conn(0)).call('INFO', 'clients');
  t.match(after, /blocked_clients:0\r\n/);
  t.match(after, /clients_in_timeout_table:0\r\n/);
});

t.test('a timeout fires after its time, not before', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  const start = Date.now();
  t.equal(await c.call('BLPOP', 'k', '0.3'), '*-1\r\n');
  const took = Date.now() - start;
  t.ok(took >= 290 && took < 1500, `took ${took} ms`);
});
