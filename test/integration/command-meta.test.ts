// The committed Redis 7.0 command metadata (src/commands/meta/redis-commands.ts) is exactly
// what redis-compat/tools/gen-command-meta.ts produces from the reference redis-server, so
// it can be regenerated and nobody edits it by hand.

import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startRedis } from '../helpers/server';

t.test('generated metadata is up to date', async (t) => {
  const redis = await startRedis(t);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-meta-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'redis-commands.ts');
  const tool = path.join(REPO_ROOT, 'dist', 'redis-compat', 'tools', 'gen-command-meta.js');
  await promisify(execFile)(process.execPath, [tool, '--port', String(redis.port), '--out', out]);
  const committed = readFileSync(path.join(REPO_ROOT, 'src', 'commands', 'meta', 'redis-commands.ts'), 'latin1');
  // Compared whole; t.ok keeps tap from printing a diff of a 280 KB file.
  t.ok(readFileSync(out, 'latin1') === committed, 'regenerating gives the committed file');
});
