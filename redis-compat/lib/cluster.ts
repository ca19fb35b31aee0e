// Cluster plumbing shared by the cluster tests, the differential runner's --cluster mode and
// the cluster benchmark: ports whose bus port (port + 10000) is free too, the node arguments,
// `redis-cli --cluster create`, waiting until every node says cluster_state:ok and agrees on
// CLUSTER NODES, parsers for CLUSTER NODES / CLUSTER INFO, and an independent CRC16 slot hash.

import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { RawClient, type Arg } from './raw-client';
import { poll } from './poll';
import { LOOPBACK, type ServerHandle, type StartOptions } from './servers';

export const SLOTS = 16384;
export const BUS_PORT_OFFSET = 10000;

/** The server kinds a cluster can be made of. */
export type ServerKind = 'cinnabar' | 'redis';

/** The arguments that put a node (Cinnabar or redis-server alike) in cluster mode. */
export function clusterArgs(configFile: string, nodeTimeoutMs: number): string[] {
  return ['--cluster-enabled', 'yes', '--cluster-config-file', configFile, '--cluster-node-timeout', String(nodeTimeoutMs)];
}

// ---------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------

/** Base ports are drawn from here: below the ephemeral range (32768+) with their bus ports. */
const PORT_LO = 12000;
const PORT_HI = 22000;
const reserved = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, LOOPBACK, () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port whose bus port (port + 10000) is free as well, not handed out before by this
 * process. Another process can still take it before the node binds it (rare; the range
 * sits below the kernel's ephemeral ports to keep outgoing connections away).
 */
export async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORT_LO + Math.floor(Math.random() * (PORT_HI - PORT_LO));
    if (reserved.has(port) || reserved.has(port + BUS_PORT_OFFSET)) continue;
    if ((await canBind(port)) && (await canBind(port + BUS_PORT_OFFSET))) {
      reserved.add(port);
      reserved.add(port + BUS_PORT_OFFSET);
      return port;
    }
  }
  throw new Error('no free port pair (port, port+10000) found');
}

// ---------------------------------------------------------------------------------------
// Talking to nodes
// ---------------------------------------------------------------------------------------

/** One command on a fresh connection; the raw reply as a latin1 string. */
export async function rawCommand(port: number, args: readonly Arg[], timeoutMs = 5000): Promise<string> {
  const c = await RawClient.connect(port, LOOPBACK, timeoutMs);
  try {
    return (await c.command(args, timeoutMs)).toString('latin1');
  } finally {
    c.close();
  }
}

/** The payload of a bulk or simple-string reply (CLUSTER NODES, CLUSTER INFO). */
export function bulkText(reply: string): string {
  if (reply.startsWith('+')) return reply.slice(1, -2);
  const m = /^\$(\d+)\r\n/.exec(reply);
  if (!m) throw new Error(`expected a bulk reply, got ${JSON.stringify(reply.slice(0, 200))}`);
  return reply.slice(m[0].length, m[0].length + Number(m[1]));
}

/** `field:value` lines (CLUSTER INFO, INFO) as a map. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function clusterInfo(port: number): Promise<Record<string, string>> {
  return parseInfo(bulkText(await rawCommand(port, ['CLUSTER', 'INFO'])));
}

/** One line of CLUSTER NODES. */
export interface NodeLine {
  id: string;
  /** `ip:port@cport[,hostname]` as printed. */
  address: string;
  port: number;
  busPort: number;
  flags: string[];
  /** Primary's id, or '-'. */
  master: string;
  pingSent: number;
  pongRecv: number;
  configEpoch: number;
  linkState: string;
  /** Slot ranges and single slots as printed (`0-5460`, `12`, `[93->-id]`...). */
  slots: string[];
}

export function parseClusterNodes(text: string): NodeLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const f = line.trim().split(' ');
      const m = /^[^:]*:(\d+)@(\d+)/.exec(f[1] ?? '');
      if (f.length < 8 || !m) throw new Error(`bad CLUSTER NODES line: ${JSON.stringify(line)}`);
      return {
        id: f[0],
        address: f[1],
        port: Number(m[1]),
        busPort: Number(m[2]),
        flags: f[2].split(','),
        master: f[3],
        pingSent: Number(f[4]),
        pongRecv: Number(f[5]),
        configEpoch: Number(f[6]),
        linkState: f[7],
        slots: f.slice(8),
      };
    });
}

export async function clusterNodes(port: number): Promise<NodeLine[]> {
  return parseClusterNodes(bulkText(await rawCommand(port, ['CLUSTER', 'NODES'])));
}

/** Slots a CLUSTER NODES line owns (ranges expanded; migrating/importing markers ignored). */
export function ownedSlots(n: NodeLine): number[] {
  const out: number[] = [];
  for (const s of n.slots) {
    if (s.startsWith('[')) continue;
    const [a, b] = s.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

/**
 * What every node must agree on, as one string per node: id, port, role, primary, epoch and
 * slots (not myself/ping/pong/link, which are each node's own view).
 */
export function topologyKey(lines: NodeLine[]): string {
  return lines
    .map((n) => {
      const role = n.flags.includes('master') ? 'master' : n.flags.includes('slave') ? 'slave' : n.flags.join(',');
      return `${n.id} ${n.port}@${n.busPort} ${role} ${n.master} ${n.configEpoch} ${n.slots.join(' ')}`;
    })
    .sort()
    .join('\n');
}

// ---------------------------------------------------------------------------------------
// Creating a cluster and waiting for it
// ---------------------------------------------------------------------------------------

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool (redis-cli, redis-benchmark) to completion; ANSI colours stripped from its output. */
export function runTool(file: string, args: string[], timeoutMs = 60000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid ?? -1, 'SIGKILL');
      } catch {
        /* gone */
      }
      reject(new Error(`${file} ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr) });
    });
  });
}

export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * `redis-cli --cluster create 127.0.0.1:p... --cluster-replicas N --cluster-yes`, then waits
 * until the cluster is ok everywhere. Returns redis-cli's output.
 */
export async function createCluster(ports: readonly number[], replicas: number, timeoutMs = 30000): Promise<ToolResult> {
  const args = ['--cluster', 'create', ...ports.map((p) => `${LOOPBACK}:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes'];
  const r = await runTool('redis-cli', args, timeoutMs);
  if (r.code !== 0 || !r.stdout.includes('[OK] All 16384 slots covered.')) {
    throw new Error(`redis-cli ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  }
  await waitForClusterOk(ports, timeoutMs);
  return r;
}

/** What waitForClusterOk saw last on each port (for error messages). */
async function clusterView(port: number): Promise<{ state: string; nodes: NodeLine[] | null; key: string }> {
  try {
    const info = await clusterInfo(port);
    const nodes = await clusterNodes(port);
    return { state: info.cluster_state ?? '?', nodes, key: topologyKey(nodes) };
  } catch (err) {
    return { state: `error: ${(err as Error).message}`, nodes: null, key: '' };
  }
}

/**
 * Waits until every port answers cluster_state:ok, knows `ports.length` nodes, and all print
 * the same topology in CLUSTER NODES (ids, roles, epochs, slots), with no node flagged fail.
 */
export async function waitForClusterOk(ports: readonly number[], timeoutMs = 30000): Promise<NodeLine[]> {
  const agreed = (views: Array<{ state: string; nodes: NodeLine[] | null; key: string }>): boolean =>
    views.every((v) => v.state === 'ok' && v.nodes !== null && v.nodes.length === ports.length && v.key === views[0].key) &&
    views.every((v) => v.nodes!.every((n) => !n.flags.some((f) => f === 'fail' || f === 'fail?' || f === 'handshake' || f === 'noaddr')));
  const { ok, last } = await poll(() => Promise.all(ports.map(clusterView)), agreed, { timeoutMs });
  if (ok) return last[0].nodes!;
  const detail = last.map((v, i) => `port ${ports[i]}: ${v.state}\n${v.nodes ? v.nodes.map((n) => `  ${n.id} ${n.address} ${n.flags.join(',')} ${n.master} ${n.configEpoch} ${n.linkState} ${n.slots.join(' ')}`).join('\n') : ''}`);
  throw new Error(`cluster did not become ok and agreed within ${timeoutMs} ms:\n${detail.join('\n')}`);
}

// ---------------------------------------------------------------------------------------
// Slot hashing
// ---------------------------------------------------------------------------------------

/**
 * CRC16-CCITT (XModem) as in the Redis Cluster specification. Kept apart from the server's own
 * src/cluster/slot.ts on purpose: the tests check the server's routing against an oracle
 * that does not share its code.
 */
function crc16(buf: Buffer): number {
  let crc = 0;
  for (const byte of buf) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The hash slot of a key: CRC16 of its `{hash tag}` when it has a non-empty one, else of the key. */
export function keySlot(key: string | Buffer): number {
  const b = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = b.indexOf(0x7b); // {
  if (open >= 0) {
    const close = b.indexOf(0x7d, open + 1); // }
    if (close > open + 1) return crc16(b.subarray(open + 1, close)) % SLOTS;
  }
  return crc16(b) % SLOTS;
}

// ---------------------------------------------------------------------------------------
// Whole clusters for the CLI harnesses (differential runner, benchmarks)
// ---------------------------------------------------------------------------------------

export interface RunningCluster {
  /** The nodes in creation order: with no replicas, node i owns the i-th third of the slots. */
  nodes: ServerHandle[];
  ports: number[];
  stop(): Promise<void>;
}

/**
 * Starts `count` cluster-enabled nodes with `start` (startRedis, startCinnabar or a
 * startCommand wrapper from servers.ts), nodes.conf in each node's dir, and creates a cluster
 * of primaries with redis-cli. On failure the nodes started so far are stopped.
 */
export async function startServerCluster(
  start: (opts: StartOptions) => Promise<ServerHandle>,
  count: number,
  opts: { name: string; args?: readonly string[]; nodeTimeoutMs?: number } = { name: 'node' },
): Promise<RunningCluster> {
  const nodes: ServerHandle[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freeClusterPort());
    const args = [...(opts.args ?? []), ...clusterArgs('nodes.conf', opts.nodeTimeoutMs ?? 5000)];
    // allSettled: on a failure every node that did start is in `nodes` before we stop them.
    const started = await Promise.allSettled(ports.map((port, i) => start({ port, args, name: `${opts.name}-${i}`, readyTimeoutMs: 60000 })));
    for (const r of started) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await createCluster(ports, 0);
    return { nodes, ports, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
