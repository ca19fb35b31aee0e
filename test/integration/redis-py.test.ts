// redis-py, the Python client (Debian's python3-redis, which .ci/run installs), against a
// Cinnabar node and a redis-server side by side: test/clients/redis_py_check.py runs the same
// steps on each (strings, hashes, lists, sets, sorted sets, pipelines, transactions and WATCH,
// pub/sub, SCAN, errors, binary values; then RedisCluster over a 3-primary cluster of each)
// and the two step lists must be equal, with a few results checked outright so that both
// failing alike cannot pass.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startCinnabar, startRedis } from '../helpers/server';
import { runTool, startCluster } from '../helpers/cluster';

/** Debian's interpreter: python3-redis installs into its dist-packages (a pyenv python3 on PATH would not see it). */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(REPO_ROOT, 'test', 'clients', 'redis_py_check.py');

type Steps = Array<[string, unknown]>;

function redisPyMissing(): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (apt-get install python3-redis)`;
  const probe = spawnSync(PYTHON, ['-c', 'import redis.cluster'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `redis-py not importable by ${PYTHON} (apt-get install python3-redis): ${probe.stderr.trim()}`;
}

/** Runs the check script against `port`; its stdout is the JSON step list. */
async function runCheck(mode: 'standalone' | 'cluster', port: number): Promise<Steps> {
  const r = await runTool(PYTHON, [SCRIPT, mode, String(port)], 120000);
  if (r.code !== 0) throw new Error(`redis_py_check.py ${mode} ${port} exited ${r.code}: ${r.stderr}`);
  try {
    return JSON.parse(r.stdout) as Steps;
  } catch (e) {
    throw new Error(`unparsable output: ${(e as Error).message}\n${r.stdout}\n${r.stderr}`);
  }
}

function resultOf(steps: Steps, name: string): unknown {
  const s = steps.find(([n]) => n === name);
  return s === undefined ? undefined : s[1];
}

const missing = redisPyMissing();

t.test('redis-py against a node and redis-server', { skip: missing }, async (t) => {
  const redis = await startRedis(t);
  const node = await startCinnabar(t, { args: ['--appendonly', 'no'] });
  const expected = await runCheck('standalone', redis.port);
  const got = await runCheck('standalone', node.port);
  t.equal(got.length, expected.length, 'same number of steps');
  for (let i = 0; i < expected.length; i++) t.same(got[i], expected[i], `step: ${expected[i][0]}`);
  t.equal(resultOf(got, 'get'), 'bar');
  t.same(resultOf(got, 'transaction'), [1, 2, '2']);
  t.match(resultOf(got, 'pubsub'), [{ type: 'subscribe' }, 1, { type: 'message', data: 'hello' }]);
  t.same(resultOf(got, 'binary values'), [true, '\u0000\u00ff\r\n']);
});

t.test('redis-py RedisCluster against a Cinnabar cluster and a redis-server cluster', { skip: missing }, async (t) => {
  const redisNodes = await startCluster(t, 'redis', 3);
  const nodes = await startCluster(t, 'cinnabar', 3);
  const expected = await runCheck('cluster', redisNodes[1].port);
  const got = await runCheck('cluster', nodes[1].port);
  t.equal(got.length, expected.length, 'same number of steps');
  for (let i = 0; i < expected.length; i++) t.same(got[i], expected[i], `step: ${expected[i][0]}`);
  t.equal(resultOf(got, 'primaries'), 3);
  t.equal(resultOf(got, '1000 keys written and read back'), 1000);
  t.same(resultOf(got, 'cross-slot MGET sent to one node'), { error: 'ClusterCrossSlotError', text: "Keys in request don't hash to the same slot" });
});
