// Memory measurements: a process's resident set size from /proc, and a deterministic loader
// that writes exactly N distinct keys of fixed size through one pipelined raw socket.

import * as fs from 'node:fs';
import * as net from 'node:net';
import { frameEnd } from '../../redis-compat/lib/raw-client';
import { LOOPBACK } from '../../redis-compat/lib/servers';

/** VmRSS of a process in bytes. */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

export interface LoadOptions {
  port: number;
  count: number;
  /** @default 16 */
  keyBytes?: number;
  /** @default 32 */
  valueBytes?: number;
  /** SET commands per write. @default 1000 */
  batch?: number;
  /** Batches written but not yet answered. @default 16 */
  window?: number;
}

/** Key i: "key:" then i zero-padded to the key size ("key:000000000042" for 16 bytes). */
export function loaderKey(i: number, keyBytes = 16): string {
  return 'key:' + String(i).padStart(keyBytes - 4, '0');
}

/** Writes SET key_i value_i for i in [0, count); resolves with the elapsed milliseconds. */
export function loadKeys(opts: LoadOptions): Promise<number> {
  const keyBytes = opts.keyBytes ?? 16;
  const valueBytes = opts.valueBytes ?? 32;
  const batch = opts.batch ?? 1000;
  const window = opts.window ?? 16;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: LOOPBACK, port: opts.port });
    sock.setNoDelay(true);
    let next = 0; // next key index to send
    let answered = 0;
    let pending: Buffer = Buffer.alloc(0);
    const sendBatch = (): void => {
      const end = Math.min(opts.count, next + batch);
      let s = '';
      for (let i = next; i < end; i++) {
        const k = loaderKey(i, keyBytes);
        const v = 'value:' + String(i).padStart(valueBytes - 6, '0');
        s += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
      }
      next = end;
      sock.write(Buffer.from(s, 'latin1'));
    };
    const fill = (): void => {
      while (next < opts.count && next - answered < batch * window) sendBatch();
    };
    sock.on('connect', fill);
    sock.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let pos = 0;
      for (;;) {
        const end = frameEnd(pending, pos);
        if (end < 0) break;
        if (pending[pos] !== 0x2b) {
          sock.destroy();
          reject(new Error(`SET failed: ${pending.toString('latin1', pos, end).trim()}`));
          return;
        }
        answered++;
        pos = end;
      }
      pending = pending.subarray(pos);
      if (answered === opts.count) {
        sock.end();
        resolve(Date.now() - started);
      } else {
        fill();
      }
    });
    sock.on('error', reject);
    sock.on('close', () => {
      if (answered < opts.count) reject(new Error(`connection closed after ${answered} of ${opts.count} replies`));
    });
  });
}
