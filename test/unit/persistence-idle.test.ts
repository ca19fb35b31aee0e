// Persistence.idle(): whether replies may go out without the end-of-turn WAL work. False from
// the first effect appended until the turn's write (and, under appendfsync always, its
// fsync) and while writes fail; true with no WAL at all.

import t, { type Test } from 'tap';
import pino from 'pino';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Persistence } from '../../src/persistence/persistence';
import type { FsyncPolicy } from '../../src/persistence/wal';
import type { NodeContext } from '../../src/node-context';

const log = pino({ enabled: false });

function open(t: Test, policy: FsyncPolicy, released: number[]): Persistence {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-idle-'));
  const node = { effects: { addSink() {}, removeSink() {}, commandEffects: 0 } } as unknown as NodeContext;
  const p = new Persistence(node, { dir, policy, segmentBytes: 1024 * 1024, release: (o) => released.push(o) }, log);
  t.teardown(() => {
    p.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return p;
}

t.test('no WAL (appendonly no): always idle', async (t) => {
  const p = open(t, 'everysec', []);
  t.equal(p.idle(), true);
});

t.test('everysec: busy from an append until the turn writes it', async (t) => {
  const p = open(t, 'everysec', []);
  p.start(0);
  t.equal(p.idle(), true, 'nothing appended');
  p.wal!.append(0, ['SET', 'k', 'v']);
  t.equal(p.idle(), false, 'an effect waits for the turn write');
  t.equal(p.beforeFlush(), 0, 'everysec replies need not wait for fsync');
  t.equal(p.idle(), true, 'written: replies may go at once');
});

t.test('always: busy until the write is fsynced', async (t) => {
  const released: number[] = [];
  const p = open(t, 'always', released);
  p.start(0);
  p.wal!.append(0, ['SET', 'k', 'v']);
  t.equal(p.idle(), false, 'an effect waits for the turn write and fsync');
  t.equal(p.beforeFlush(), 0, 'the turn wrote and fsynced on the event loop');
  t.same(released, [p.wal!.offset], 'the fsync released everything written');
  t.equal(p.idle(), true, 'synced: replies may go at once');
});

t.test('a failed write keeps it busy', async (t) => {
  const p = open(t, 'everysec', []);
  p.start(0);
  t.equal(p.idle(), true);
  p.writeError = 'No space left on device';
  t.equal(p.idle(), false, 'while the disk fails, replies take the end-of-turn path');
});
