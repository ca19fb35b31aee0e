// Runs differential scenarios: every step goes to redis-server (the oracle) and to the server
// under test on fresh connections, replies are normalized and compared byte for byte, and
// each scenario is reported as PASS, FAIL (with an escaped diff) or KNOWN (DIFFERENCES.md).

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConnectionClosed,
  RawClient,
  ReplyTimeout,
  RespFormatError,
  encodeCommand,
  escapeBytes,
  sortAggregate,
  splitAggregate,
  stringValue,
  type Arg,
} from './raw-client';
import { allScenarios, pendingScenarios } from '../scenarios';
import { applyNormalizers, type CommandStep, type Normalizer, type Scenario, type Step } from './scenario';
import { NO_PERSISTENCE, repoRoot, sleep, startCinnabar, startCommand, startRedis, type ServerHandle, type StartOptions } from './servers';
import { startServerCluster, type RunningCluster } from './cluster';
import { clusterModeScenarios } from '../scenarios/cluster';
import { clusterSkipReason } from '../scenarios/cluster-skips';

export interface CompatOptions {
  /** Run only scenarios whose name contains this substring. */
  filter?: string;
  /** Shell command starting the server under test (see startCommand). @default Cinnabar from dist/ */
  targetCmd?: string;
  /** Use an already running server under test on this port instead of starting one. */
  targetPort?: number;
  /** Use an already running reference redis-server on this port instead of starting one. */
  redisPort?: number;
  /** @default every scenario in scenarios/ */
  scenarios?: readonly Scenario[];
  /** Where report lines go. @default console.log */
  log?: (line: string) => void;
  /**
   * Run against a 3-primary cluster of each server (same slot layout), following MOVED/ASK
   * like a cluster client; scenarios listed in scenarios/cluster-skips.ts are left out and
   * the cluster-only ones of scenarios/cluster.ts added (with `scenarios`: those only).
   */
  cluster?: boolean;
}

export interface Mismatch {
  step: number;
  description: string;
  expected: string;
  actual: string;
}

export interface ScenarioResult {
  name: string;
  status: 'pass' | 'fail' | 'known';
  mismatches: Mismatch[];
  /** Set when the harness itself could not run the scenario (connect failure and the like). */
  error?: string;
  knownDifference?: string;
}

export interface CompatReport {
  results: ScenarioResult[];
  passed: number;
  failed: number;
  known: number;
}

/** Starts redis-server and the server under test, runs the scenarios, stops both. */
export async function runCompat(opts: CompatOptions = {}): Promise<CompatReport> {
  if (opts.cluster) return runCompatCluster(opts);
  const log = opts.log ?? ((l: string) => console.log(l));
  const started: ServerHandle[] = [];
  try {
    let refPort = opts.redisPort;
    if (refPort === undefined) {
      const ref = await startRedis({ name: 'redis' });
      started.push(ref);
      refPort = ref.port;
    }
    let targetPort = opts.targetPort;
    let targetLabel = 'target';
    if (targetPort === undefined) {
      // The reference's settings, so CONFIG GET save/appendonly compare like with like.
      const args = [...NO_PERSISTENCE];
      const target = opts.targetCmd ? await startCommand(opts.targetCmd, { args }) : await startCinnabar({ args });
      started.push(target);
      targetPort = target.port;
      targetLabel = target.name;
    }
    log(`reference: redis-server on ${refPort}; under test: ${opts.targetCmd ?? targetLabel} on ${targetPort}`);
    let list = opts.scenarios ?? allScenarios;
    // A filter also reaches the pending scenarios (work in progress on later capabilities).
    if (opts.filter) list = [...list, ...(opts.scenarios ? [] : pendingScenarios)].filter((s) => s.name.includes(opts.filter as string));
    return await runScenarios(list, refPort, targetPort, { log, targetLabel });
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

/**
 * --cluster: a 3-primary redis-server cluster and a 3-primary cluster of the server under
 * test, both made by redis-cli --cluster create from ports in the same order, so slot i lives
 * on node k on both sides and replies (MOVED targets included, as node numbers) compare.
 */
async function runCompatCluster(opts: CompatOptions): Promise<CompatReport> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const clusters: RunningCluster[] = [];
  try {
    const ref = await startServerCluster(startRedis, CLUSTER_NODES, { name: 'redis' });
    clusters.push(ref);
    const startTarget = opts.targetCmd
      ? (o: StartOptions) => startCommand(opts.targetCmd as string, o)
      : (o: StartOptions) => startCinnabar(o);
    const targetLabel = opts.targetCmd ? 'target' : 'cinnabar';
    const target = await startServerCluster(startTarget, CLUSTER_NODES, { name: targetLabel, args: NO_PERSISTENCE });
    clusters.push(target);
    log(`reference: redis-server cluster on ${ref.ports.join(',')}; under test: ${opts.targetCmd ?? targetLabel} cluster on ${target.ports.join(',')}`);
    let list = opts.scenarios ?? [...allScenarios, ...clusterModeScenarios];
    if (opts.filter) list = [...list, ...(opts.scenarios ? [] : pendingScenarios)].filter((s) => s.name.includes(opts.filter as string));
    const skipped = list.filter((s) => clusterSkipReason(s.name) !== null);
    if (skipped.length > 0) log(`${skipped.length} scenarios skipped in cluster mode (redis-compat/scenarios/cluster-skips.ts)`);
    list = list.filter((s) => clusterSkipReason(s.name) === null);
    return await runScenarios(list, ref.ports, target.ports, { log, targetLabel });
  } finally {
    await Promise.all(clusters.map((c) => c.stop()));
  }
}

const CLUSTER_NODES = 3;

/**
 * Runs scenarios against two running servers (or two clusters: every node's port, the node
 * that owns slot 0 first) and prints the report and the summary line.
 */
export async function runScenarios(
  scenarios: readonly Scenario[],
  refPort: number | readonly number[],
  targetPort: number | readonly number[],
  opts: { log?: (line: string) => void; targetLabel?: string } = {},
): Promise<CompatReport> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const label = opts.targetLabel ?? 'target';
  const anchors = differenceAnchors();
  const report: CompatReport = { results: [], passed: 0, failed: 0, known: 0 };
  const [refPorts, targetPorts] = [portList(refPort), portList(targetPort)];
  const adminSets = await Promise.all([refPorts, targetPorts].map((ports) => Promise.all(ports.map((p) => RawClient.connect(p)))));
  let warnedFlush = false;
  try {
    for (const s of scenarios) {
      // Every scenario starts from empty databases (on every node of a cluster).
      const flushedAll = await Promise.all(adminSets.map((set) => Promise.all(set.map((a) => a.command(['FLUSHALL']).then(String, String)))));
      const flushed = flushedAll.map((side) => side.find((r) => r !== '+OK\r\n') ?? '+OK\r\n');
      if (flushed[1] !== '+OK\r\n' && !warnedFlush) {
        warnedFlush = true;
        log(`WARNING: FLUSHALL on ${label} answered ${escapeBytes(flushed[1])}: scenarios see each other's keys`);
      }
      const r = await runScenario(s, refPorts, targetPorts);
      if (r.status === 'known' && !anchors.has(r.knownDifference ?? '')) {
        r.status = 'fail';
        r.error = `knownDifference '${r.knownDifference}' has no heading in redis-compat/DIFFERENCES.md`;
      }
      if (s.cleanup) {
        for (const cmd of s.cleanup) {
          // On every node: CONFIG SET undone everywhere; a key command just errors on non-owners.
          await Promise.all(adminSets.flat().map((a) => a.command(cmd).catch(() => undefined)));
        }
      }
      report.results.push(r);
      if (r.status === 'pass') report.passed++;
      else if (r.status === 'known') report.known++;
      else report.failed++;
      printResult(r, label, log);
    }
  } finally {
    for (const set of adminSets) for (const a of set) a.close();
  }
  if (report.known > 0) log(`${report.known} known differences (see redis-compat/DIFFERENCES.md)`);
  log(`${report.passed} passed, ${report.failed} failed`);
  return report;
}

function portList(p: number | readonly number[]): readonly number[] {
  return typeof p === 'number' ? [p] : p;
}

/** Runs one scenario on fresh connections to both servers (or clusters: every node's port). */
export async function runScenario(s: Scenario, refPort: number | readonly number[], targetPort: number | readonly number[]): Promise<ScenarioResult> {
  const result: ScenarioResult = { name: s.name, status: 'pass', mismatches: [] };
  const sides = [new Side(portList(refPort), s), new Side(portList(targetPort), s)] as const;
  try {
    for (let i = 0; i < s.steps.length; i++) {
      const step = s.steps[i];
      if ('sleepMs' in step) {
        await sleep(step.sleepMs);
        continue;
      }
      const [expected, actual] = await Promise.all(sides.map((side) => side.run(step)));
      if (expected.text !== actual.text) {
        result.mismatches.push({ step: i + 1, description: describe(step), expected: expected.text, actual: actual.text });
        // After a timeout or a dropped connection the reply streams no longer line up.
        if (actual.broken || expected.broken) break;
      }
    }
    if (!sides[0].broken && !sides[1].broken) {
      // Anything the servers sent beyond the replies we read (an extra reply, say).
      await sleep(15);
      const [a, b] = sides.map((side) => side.leftover());
      if (a !== b) result.mismatches.push({ step: s.steps.length + 1, description: '(bytes after the last step)', expected: a, actual: b });
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    for (const side of sides) side.close();
  }
  if (result.mismatches.length > 0 || result.error) {
    if (s.knownDifference && !result.error) {
      result.status = 'known';
      result.knownDifference = s.knownDifference;
    } else {
      result.status = 'fail';
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// One server's side of a scenario
// ---------------------------------------------------------------------------------------

interface Observation {
  /** Normalized, escaped reply text; compared between the two sides. */
  text: string;
  /** The connection no longer lines up (timeout, close, unparseable bytes). */
  broken: boolean;
}

const DEFAULT_TIMEOUT_MS = 3000;
const UNTIL_CLOSE_TIMEOUT_MS = 1000;

/** `-MOVED <slot> <ip>:<port>` or `-ASK <slot> <ip>:<port>`. */
const REDIRECT = /^-(MOVED|ASK) \d+ [^\r:]+:(\d+)\r\n$/;
const ASKING = encodeCommand(['ASKING']);
const MAX_REDIRECTS = 5;

/**
 * One side of a scenario: one server, or a cluster. On a cluster each scenario connection is
 * one connection per node (opened on first use); a command goes to the first node and follows
 * MOVED/ASK as a cluster client would, and node addresses in replies read `<node i>`.
 */
class Side {
  private conns = new Map<string, RawClient>();
  private readonly nodeNames: Normalizer[];
  broken = false;

  constructor(
    private readonly ports: readonly number[],
    private readonly scenario: Scenario,
  ) {
    this.nodeNames =
      ports.length > 1 ? [{ pattern: /127\.0\.0\.1:(\d+)/g, replace: (m: string, p: string) => (ports.includes(Number(p)) ? `<node ${ports.indexOf(Number(p))}>` : m) }] : [];
  }

  async run(step: Exclude<Step, { sleepMs: number }>): Promise<Observation> {
    const s = Array.isArray(step) ? ({ cmd: step } as CommandStep) : step;
    const index = s.conn ?? 0;
    const conn = await this.conn(index, this.ports[0]);
    const normalizers: Normalizer[] = [...this.nodeNames, ...(this.scenario.ignore ?? []), ...(s.ignore ?? [])];
    if ('scanUntilDone' in s) return this.scan(index, s.scanUntilDone, normalizers, s.timeoutMs);
    const bytes = 'raw' in s ? s.raw : encodeCommand(s.cmd);
    // One command whose reply may be a redirection: follow it on the node it names.
    if (this.ports.length > 1 && !s.untilClose && (s.replies ?? 1) === 1) {
      const timeout = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      let conn: RawClient | null = null;
      try {
        let reply: Buffer;
        ({ reply, conn } = await this.exchange(index, typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, timeout));
        if ('cmd' in s && s.unordered) reply = sortAggregate(reply, s.unordered === 'pairs');
        return { text: escapeBytes(applyNormalizers(reply.toString('latin1'), normalizers)), broken: false };
      } catch (err) {
        return { text: this.failure(err, conn ?? (await this.conn(index, this.ports[0]))), broken: true };
      }
    }
    conn.write(bytes);
    const timeout = s.timeoutMs ?? (s.untilClose ? UNTIL_CLOSE_TIMEOUT_MS : DEFAULT_TIMEOUT_MS);
    if (s.untilClose) {
      const { data, closed } = await conn.readUntilClose(timeout);
      const text = escapeBytes(applyNormalizers(data.toString('latin1'), normalizers));
      return { text: text + (closed ? ' <closed>' : ` <still open after ${timeout} ms>`), broken: false };
    }
    const n = s.replies ?? 1;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      try {
        let reply = await conn.readReply(timeout);
        if ('cmd' in s && s.unordered) reply = sortAggregate(reply, s.unordered === 'pairs');
        parts.push(escapeBytes(applyNormalizers(reply.toString('latin1'), normalizers)));
      } catch (err) {
        parts.push(this.failure(err, conn));
        break;
      }
    }
    return { text: parts.join(' | '), broken: this.broken };
  }

  /** Bytes received but never read as a reply, escaped. */
  leftover(): string {
    return [...this.conns.values()].map((c) => escapeBytes(applyNormalizers(c.take().toString('latin1'), this.nodeNames))).join('');
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
  }

  /**
   * Sends `bytes` (one command) on scenario connection `index` of the first node and reads its
   * reply, following MOVED (resend on the owner) and ASK (ASKING, then resend) redirections.
   */
  private async exchange(index: number, bytes: Buffer, timeoutMs: number): Promise<{ reply: Buffer; conn: RawClient }> {
    let conn = await this.conn(index, this.ports[0]);
    conn.write(bytes);
    let reply = await conn.readReply(timeoutMs);
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const m = REDIRECT.exec(reply.toString('latin1'));
      if (!m || !this.ports.includes(Number(m[2]))) break;
      conn = await this.conn(index, Number(m[2]));
      if (m[1] === 'ASK') {
        conn.write(Buffer.concat([ASKING, bytes]));
        await conn.readReply(timeoutMs);
      } else {
        conn.write(bytes);
      }
      reply = await conn.readReply(timeoutMs);
    }
    return { reply, conn };
  }

  private async conn(index: number, port: number): Promise<RawClient> {
    const key = `${index}@${port}`;
    let c = this.conns.get(key);
    if (!c) {
      c = await RawClient.connect(port);
      this.conns.set(key, c);
      if (this.scenario.resp3) {
        const hello = await c.command(['HELLO', '3']);
        if (hello[0] !== 0x25) throw new Error(`HELLO 3 on port ${port} answered ${escapeBytes(hello).slice(0, 200)}`);
      }
    }
    return c;
  }

  private failure(err: unknown, conn: RawClient): string {
    this.broken = true;
    if (err instanceof ReplyTimeout) return `<no complete reply within ${err.ms} ms; received: ${escapeBytes(err.partial)}>`;
    if (err instanceof ConnectionClosed) return `<connection closed; received: ${escapeBytes(err.partial)}>`;
    if (err instanceof RespFormatError) return `<not RESP: ${err.message}; received: ${escapeBytes(conn.take())}>`;
    throw err;
  }

  private async scan(index: number, cmd: Arg[], normalizers: Normalizer[], timeoutMs?: number): Promise<Observation> {
    let conn = await this.conn(index, this.ports[0]);
    const cursorAt = String(cmd[0]).toUpperCase() === 'SCAN' ? 1 : 2;
    const seen = new Map<string, Buffer>();
    let cursor: Arg = '0';
    for (let round = 0; ; round++) {
      const args = [...cmd];
      args[cursorAt] = cursor;
      let reply: Buffer;
      try {
        // SSCAN/HSCAN/ZSCAN on a cluster: the key's node (SCAN itself stays on the first node).
        ({ reply, conn } = await this.exchange(index, encodeCommand(args), timeoutMs ?? DEFAULT_TIMEOUT_MS));
      } catch (err) {
        return { text: this.failure(err, conn), broken: true };
      }
      const { header, elements } = splitAggregate(reply);
      if (header !== '*2' || elements.length !== 2) {
        return { text: escapeBytes(applyNormalizers(reply.toString('latin1'), normalizers)), broken: false };
      }
      for (const e of splitAggregate(elements[1]).elements) seen.set(e.toString('latin1'), e);
      cursor = stringValue(elements[0]) ?? Buffer.from('0');
      if (cursor.toString() === '0') break;
      if (round > 100000) return { text: '<SCAN did not finish after 100000 calls>', broken: true };
    }
    const keys = [...seen.keys()].sort();
    const union = `<scan union>*${keys.length}\r\n${keys.join('')}`;
    return { text: escapeBytes(applyNormalizers(union, normalizers)), broken: false };
  }
}

function describe(step: Step): string {
  if (Array.isArray(step)) return clip(escapeArgs(step));
  if ('cmd' in step) return clip(escapeArgs(step.cmd));
  if ('raw' in step) return clip(`raw "${escapeBytes(step.raw)}"`);
  if ('scanUntilDone' in step) return clip(`scan until done: ${escapeArgs(step.scanUntilDone)}`);
  return `sleep ${step.sleepMs} ms`;
}

function escapeArgs(args: readonly Arg[]): string {
  return args.map((a) => escapeBytes(typeof a === 'string' ? Buffer.from(a, 'utf8') : a)).join(' ');
}

function clip(s: string, max = 160): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} chars)`;
}

// ---------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------

const MAX_MISMATCHES_SHOWN = 5;
const WINDOW = 240;

function printResult(r: ScenarioResult, label: string, log: (line: string) => void): void {
  const tag = r.status === 'pass' ? 'PASS ' : r.status === 'known' ? 'KNOWN' : 'FAIL ';
  log(`${tag} ${r.name}${r.status === 'known' ? `  (DIFFERENCES.md#${r.knownDifference})` : ''}`);
  if (r.status !== 'fail') return;
  if (r.error) log(`      error: ${r.error}`);
  const width = Math.max(5, label.length);
  for (const m of r.mismatches.slice(0, MAX_MISMATCHES_SHOWN)) {
    log(`      step ${m.step} › ${m.description}`);
    const [e, a, note] = diffWindow(m.expected, m.actual);
    log(`        ${'redis'.padEnd(width)}: ${e}`);
    log(`        ${label.padEnd(width)}: ${a}`);
    if (note) log(`        ${' '.repeat(width)}  ${note}`);
  }
  if (r.mismatches.length > MAX_MISMATCHES_SHOWN) {
    log(`      … and ${r.mismatches.length - MAX_MISMATCHES_SHOWN} more differing steps`);
  }
}

/** Long replies are cut to a window around the first difference. */
function diffWindow(expected: string, actual: string): [string, string, string] {
  if (expected.length <= WINDOW && actual.length <= WINDOW) return [expected, actual, ''];
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const from = Math.max(0, i - 60);
  const cut = (s: string): string => (from > 0 ? '…' : '') + s.slice(from, from + WINDOW) + (s.length > from + WINDOW ? '…' : '');
  return [cut(expected), cut(actual), `(first difference at escaped char ${i}; lengths ${expected.length} vs ${actual.length})`];
}

/** Heading anchors of DIFFERENCES.md, GitHub style, plus explicit <a id="..."> anchors. */
function differenceAnchors(): Set<string> {
  const file = path.join(repoRoot(), 'redis-compat', 'DIFFERENCES.md');
  const anchors = new Set<string>();
  if (!fs.existsSync(file)) return anchors;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h) anchors.add(h[1].trim().toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-'));
    for (const m of line.matchAll(/<a id="([^"]+)"/g)) anchors.add(m[1]);
  }
  return anchors;
}
