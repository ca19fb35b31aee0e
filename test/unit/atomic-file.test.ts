// writeFileAtomically: the file is replaced whole, no temp file stays behind, and a failure
// throws the system error of the failing step (the callers' replies are built from it).

import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomically } from '../../src/atomic-file';

t.test('replaces the file and leaves no temp file', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-atomic-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'x.conf');
  writeFileAtomically(file, 'first\n');
  writeFileAtomically(file, 'caf\xe9\n');
  t.same(readFileSync(file), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), 'latin1: one byte per char');
  t.same(readdirSync(dir), ['x.conf']);
});

t.test('a failure throws the system error and removes the temp file', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-atomic-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.throws(() => writeFileAtomically(path.join(dir, 'missing', 'x.conf'), 'x'), { code: 'ENOENT' });
  // The target is a directory: the rename fails after the temp file was written.
  const target = path.join(dir, 'taken');
  mkdirSync(path.join(target, 'inside'), { recursive: true });
  t.throws(() => writeFileAtomically(target, 'x'), { code: /^(EISDIR|ENOTEMPTY|EEXIST)$/ });
  t.same(readdirSync(dir), ['taken'], 'no temp file left behind');
});
