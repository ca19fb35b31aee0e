// Test helpers for cluster mode: start N cluster-enabled nodes of either kind (Cinnabar or
// Debian's redis-server, for calibration) on ports whose bus port is free too, join them with
// `redis-cli --cluster create`, kill -9 and restart a node with the same nodes.conf and dir.
// Every process is killed by pid when the tap test ends, pass or fail.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BUS_PORT_OFFSET,
  clusterArgs,
  createCluster as createWithRedisCli,
  freeClusterPort,
  rawCommand,
  runTool,
  waitForClusterOk,
  type ServerKind,
  type ToolResult,
} from '../../redis-compat/lib/cluster';
import { startCinnabar, startRedis, waitForPing, type Running } from './server';

const START_TIMEOUT_MS = 45000;

export * from '../../redis-compat/lib/cluster';

/** redis-cli run to completion: its exit code and everything it printed, stdout then stderr. */
export async function redisCli(args: string[], timeoutMs?: number): Promise<{ code: number | null; out: string }> {
  const r = await runTool('redis-cli', args, timeoutMs);
  return { code: r.code, out: r.stdout + r.stderr };
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * Server kinds the cluster tests run against: CLUSTER_TEST_SERVERS=redis,cinnabar (comma
 * separated) or, by default, Cinnabar only (redis-server is for calibrating the tests).
 */
export function clusterTestKinds(): ServerKind[] {
  const raw = process.env.CLUSTER_TEST_SERVERS ?? 'cinnabar';
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) if (k !== 'cinnabar' && k !== 'redis') throw new Error(`CLUSTER_TEST_SERVERS: unknown server kind '${k}'`);
  return kinds as ServerKind[];
}

/**
 * tap options for a test against `kind`: skipped on Cinnabar when `cinnabarTodo` names a
 * missing server feature (a TODO to remove once the feature lands). CLUSTER_TEST_NO_SKIP=1
 * runs it anyway, to see how far the server has come.
 */
export function skipUnless(kind: ServerKind, cinnabarTodo: string | null): { skip: string | false } {
  const skip = kind === 'cinnabar' && cinnabarTodo !== null && process.env.CLUSTER_TEST_NO_SKIP !== '1';
  return { skip: skip ? `TODO(cluster): ${cinnabarTodo}` : false };
}

/** Whether the server on `port` implements `command` (COMMAND INFO answers a nil for unknown ones). */
export async function serverHasCommand(port: number, command: string): Promise<boolean> {
  const reply = await rawCommand(port, ['COMMAND', 'INFO', command]);
  return reply.startsWith('*1\r\n*');
}

/**
 * Like skipUnless, but the Cinnabar TODO applies only while the node lacks `command`: once the
 * feature is merged the test runs by itself.
 */
export async function skipUnlessCommand(kind: ServerKind, port: number, command: string, cinnabarTodo: string): Promise<{ skip: string | false }> {
  return skipUnless(kind, (await serverHasCommand(port, command)) ? null : cinnabarTodo);
}

export interface ClusterNodeOptions {
  /** --cluster-node-timeout. @default 2000 */
  nodeTimeoutMs?: number;
  /** Extra arguments for every node. */
  args?: string[];
}

/** One cluster-enabled node: its port, bus port, data dir and nodes.conf survive restarts. */
export class ClusterNode {
  proc: Running | null = null;

  constructor(
    readonly kind: ServerKind,
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  get busPort(): number {
    return this.port + BUS_PORT_OFFSET;
  }

  get configFile(): string {
    return path.join(this.dir, `nodes-${this.port}.conf`);
  }

  get pid(): number {
    if (!this.proc) throw new Error(`node ${this.port} is not running`);
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** Starts the process (again) with the same port, dir and nodes.conf; killed when `t` ends. */
  async start(t: Teardown): Promise<void> {
    if (this.proc) throw new Error(`node ${this.port} is already running`);
    if (this.kind === 'redis') {
      this.proc = await startRedis(t, this.args, { port: this.port, dir: this.dir });
      return;
    }
    // Several Node.js processes starting at once on a busy machine can take well over
    // startCinnabar's 10 s: wait longer here.
    this.proc = await startCinnabar(t, { port: this.port, dir: this.dir, args: this.args, noWait: true });
    try {
      await waitForPing(this.port, START_TIMEOUT_MS);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.proc.output()}`);
    }
  }

  /** kill -9 by pid; resolves once the process has exited. */
  async kill9(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (p) await p.stop('SIGKILL');
  }

  /** Output the current process printed so far. */
  output(): string {
    return this.proc?.output() ?? '';
  }
}

/**
 * Starts `count` cluster-enabled nodes of `kind` (not yet joined). Their directories live in
 * one temporary directory removed when `t` ends.
 */
export async function startClusterNodes(t: Teardown, kind: ServerKind, count: number, opts: ClusterNodeOptions = {}): Promise<ClusterNode[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), `cinnabar-cluster-${kind}-`));
  // Registered first: tap runs teardowns in order, so this one would run before the kills;
  // removing a directory under a running process is harmless on Linux, and the kills follow.
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freeClusterPort();
    const dir = path.join(root, `node-${port}`);
    mkdirSync(dir);
    const configFile = path.join(dir, `nodes-${port}.conf`);
    nodes.push(new ClusterNode(kind, port, dir, [...clusterArgs(configFile, opts.nodeTimeoutMs ?? 2000), ...(opts.args ?? [])]));
  }
  await Promise.all(nodes.map((n) => n.start(t)));
  return nodes;
}

/** Joins the nodes with redis-cli --cluster create and waits until all agree and are ok. */
export function createCluster(nodes: readonly ClusterNode[], replicas: number, timeoutMs = 30000): Promise<ToolResult> {
  return createWithRedisCli(nodes.map((n) => n.port), replicas, timeoutMs);
}

/** Starts `count` nodes and creates a cluster of them (with `replicas` replicas per primary). */
export async function startCluster(t: Teardown, kind: ServerKind, count: number, replicas = 0, opts: ClusterNodeOptions = {}): Promise<ClusterNode[]> {
  const nodes = await startClusterNodes(t, kind, count, opts);
  await createCluster(nodes, replicas);
  return nodes;
}

/** Waits until the running nodes are ok and agree (after a restart, say). */
export function waitForNodesOk(nodes: readonly ClusterNode[], timeoutMs = 30000): ReturnType<typeof waitForClusterOk> {
  return waitForClusterOk(nodes.filter((n) => n.running).map((n) => n.port), timeoutMs);
}
