// Runs redis-cli as a user would (its exit code and output with colours stripped), for the
// tests that drive `redis-cli --cluster` and friends against real nodes.

import { execFile } from 'node:child_process';

export function redisCli(args: string[], timeoutMs = 60000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('redis-cli', args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
      resolve({ code, out: (stdout + stderr).replace(/\x1b\[[0-9;]*m/g, '') });
    });
  });
}
