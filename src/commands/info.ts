// INFO [section ...]: Redis 7.0's sections with its field names and order (server.c
// genRedisInfoString), filled with Cinnabar's live values. Layers that own some of the values
// (persistence, replication, cluster) supply them through provideInfoFields/replaceInfoSection.

import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { commandUsec, type CommandSpec } from './spec';
import { formatFixed } from '../resp/format';
import { CINNABAR_VERSION } from '../version';

export type InfoValue = string | number;
export type InfoField = readonly [name: string, value: InfoValue];

export type InfoSection =
  | 'server'
  | 'clients'
  | 'memory'
  | 'persistence'
  | 'stats'
  | 'replication'
  | 'cpu'
  | 'modules'
  | 'commandstats'
  | 'errorstats'
  | 'latencystats'
  | 'cluster'
  | 'keyspace';

/** The sections in the order Redis prints them, whatever order they were asked in. */
const SECTIONS: readonly { name: InfoSection; title: string; isDefault: boolean }[] = [
  { name: 'server', title: 'Server', isDefault: true },
  { name: 'clients', title: 'Clients', isDefault: true },
  { name: 'memory', title: 'Memory', isDefault: true },
  { name: 'persistence', title: 'Persistence', isDefault: true },
  { name: 'stats', title: 'Stats', isDefault: true },
  { name: 'replication', title: 'Replication', isDefault: true },
  { name: 'cpu', title: 'CPU', isDefault: true },
  { name: 'modules', title: 'Modules', isDefault: true },
  { name: 'commandstats', title: 'Commandstats', isDefault: false },
  { name: 'errorstats', title: 'Errorstats', isDefault: true },
  // Redis with `latency-tracking no`: the header and no lines. Per-command latency
  // histograms would cost a clock read and a histogram update on every command.
  { name: 'latencystats', title: 'Latencystats', isDefault: false },
  { name: 'cluster', title: 'Cluster', isDefault: true },
  { name: 'keyspace', title: 'Keyspace', isDefault: true },
];

// ── Per-node state: providers, memory peak, instantaneous metrics ──────────────────────

export type InfoFieldsProvider = (node: NodeContext) => readonly InfoField[];

interface Providers {
  merge: InfoFieldsProvider[];
  replace: InfoFieldsProvider | null;
}

/** Redis's trackInstantaneousMetric: the average rate over the last 16 samples. */
class InstantaneousMetric {
  private readonly samples = new Float64Array(16);
  private idx = 0;
  private lastTime = 0;
  private lastValue = 0;

  track(current: number, nowMs: number): void {
    if (this.lastTime !== 0) {
      const dt = nowMs - this.lastTime;
      this.samples[this.idx] = dt > 0 ? ((current - this.lastValue) * 1000) / dt : 0;
      this.idx = (this.idx + 1) % this.samples.length;
    }
    this.lastTime = nowMs;
    this.lastValue = current;
  }

  get value(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / this.samples.length;
  }
}

interface InfoState {
  providers: Map<InfoSection, Providers>;
  peakMemory: number;
  ops: InstantaneousMetric;
  netIn: InstantaneousMetric;
  netOut: InstantaneousMetric;
  sampler: NodeJS.Timeout | null;
  /** Stand-in replication id until the replication layer supplies its own. */
  replid: string;
}

const states = new WeakMap<NodeContext, InfoState>();

function stateOf(node: NodeContext): InfoState {
  let s = states.get(node);
  if (s === undefined) {
    s = {
      providers: new Map(),
      peakMemory: 0,
      ops: new InstantaneousMetric(),
      netIn: new InstantaneousMetric(),
      netOut: new InstantaneousMetric(),
      sampler: null,
      replid: randomBytes(20).toString('hex'),
    };
    states.set(node, s);
  }
  return s;
}

function providersOf(node: NodeContext, section: InfoSection): Providers {
  const all = stateOf(node).providers;
  let p = all.get(section);
  if (p === undefined) {
    p = { merge: [], replace: null };
    all.set(section, p);
  }
  return p;
}

/**
 * Supplies fields of a section: a field Redis has replaces its default value in place, any
 * other is appended after Redis's fields (e.g. persistence's rdb_* from the snapshot layer).
 */
export function provideInfoFields(node: NodeContext, section: InfoSection, provider: InfoFieldsProvider): void {
  providersOf(node, section).merge.push(provider);
}

/** Replaces the whole body of a section (replication on a replica has other fields). */
export function replaceInfoSection(node: NodeContext, section: InfoSection, provider: InfoFieldsProvider): void {
  providersOf(node, section).replace = provider;
}

/**
 * Samples ops/sec and network rates every 100 ms as Redis's serverCron does; started by the
 * first INFO so nodes nobody monitors pay nothing.
 */
function ensureSampler(node: NodeContext, st: InfoState): void {
  if (st.sampler !== null) return;
  const sample = (): void => {
    const now = Date.now();
    st.ops.track(node.stats.totalCommandsProcessed, now);
    st.netIn.track(node.stats.netInputBytes, now);
    st.netOut.track(node.stats.netOutputBytes, now);
  };
  sample();
  st.sampler = setInterval(sample, 100);
  st.sampler.unref();
}

// ── Formatting helpers ───────────────────────────────────────────────────────────────────

const UNITS = ['K', 'M', 'G', 'T', 'P'];

/** Redis's bytesToHuman: 943.02K, 11.86M, 200B. */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  let d = 1024;
  for (const unit of UNITS) {
    if (n < d * 1024) return formatFixed(n / d, 2) + unit;
    d *= 1024;
  }
  return `${n}B`;
}

/** "%ld.%06ld" of a duration in microseconds (used_cpu_*). */
function seconds6(usec: number): string {
  const s = Math.floor(usec / 1e6);
  return `${s}.${String(Math.floor(usec - s * 1e6)).padStart(6, '0')}`;
}

/** Redis prints a hash of its build; Cinnabar's stands for its version. */
const BUILD_ID = createHash('sha1').update(`cinnabar-${CINNABAR_VERSION}`).digest('hex').slice(0, 16);

/** Memory at start-up, before any data (used_memory_startup). */
const STARTUP_MEMORY = (() => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
})();

// ── Sections ─────────────────────────────────────────────────────────────────────────────

function serverSection(node: NodeContext): InfoField[] {
  const nowMs = performance.timeOrigin + performance.now();
  const uptime = Math.floor((Date.now() - node.startedAt) / 1000);
  const hz = node.config.v.hz;
  return [
    ['redis_version', node.version],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', BUILD_ID],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', node.runId],
    ['tcp_port', node.config.v.port],
    ['server_time_usec', Math.floor(nowMs * 1000)],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', Math.floor(Date.now() / 1000) & 0xffffff],
    ['executable', path.resolve(process.argv[1] ?? process.execPath)],
    ['config_file', node.config.configFile ?? ''],
    ['io_threads_active', 0],
    ['cinnabar_version', CINNABAR_VERSION],
    ['nodejs_version', process.versions.node],
  ];
}

function clientsSection(node: NodeContext): InfoField[] {
  let maxIn = 0;
  let maxOut = 0;
  for (const c of node.clients.values()) {
    maxIn = Math.max(maxIn, c.decoder.buffered);
    maxOut = Math.max(maxOut, c.pendingOutput);
  }
  return [
    ['connected_clients', node.clients.size],
    ['cluster_connections', 0],
    ['maxclients', node.config.v.maxclients],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', node.blocking.blockedCount],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', node.blocking.timeoutCount],
  ];
}

/** The figures INFO memory and MEMORY STATS report, in Redis's terms (getMemoryOverheadData). */
export interface MemoryFigures {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  clientsMem: number;
  overhead: number;
  dataset: number;
  /** used - startup. */
  netUsage: number;
  allocated: number;
  active: number;
  resident: number;
}

/** Memory figures from process.memoryUsage(); updates the peak. */
export function memoryFigures(node: NodeContext): MemoryFigures {
  const st = stateOf(node);
  const m = process.memoryUsage();
  // external already includes arrayBuffers (Node's docs), so they are not added twice.
  const used = m.heapUsed + m.external;
  st.peakMemory = Math.max(st.peakMemory, used);
  let clientsMem = 0;
  for (const c of node.clients.values()) clientsMem += c.pendingOutput + c.decoder.buffered;
  const startup = Math.min(STARTUP_MEMORY, used);
  const overhead = Math.min(used, startup + clientsMem);
  return {
    used,
    rss: m.rss,
    peak: st.peakMemory,
    startup,
    clientsMem,
    overhead,
    dataset: used - overhead,
    netUsage: used - startup,
    allocated: used,
    active: m.heapTotal + m.external,
    resident: m.rss,
  };
}

function memorySection(node: NodeContext): InfoField[] {
  const { used, rss, peak, startup, clientsMem, overhead, dataset, netUsage, allocated, active, resident } = memoryFigures(node);
  const maxmemory = node.config.v.maxmemory;
  const ratio = (a: number, b: number): string => formatFixed(b === 0 ? 0 : a / b, 2);
  const totalSystem = os.totalmem();
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', formatFixed(peak === 0 ? 0 : (used * 100) / peak, 2) + '%'],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', formatFixed(netUsage <= 0 ? 0 : (dataset * 100) / netUsage, 2) + '%'],
    ['allocator_allocated', allocated],
    ['allocator_active', active],
    ['allocator_resident', resident],
    ['total_system_memory', totalSystem],
    ['total_system_memory_human', bytesToHuman(totalSystem)],
    // No Lua VM and no functions yet: the scripting layer supplies these when it exists.
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', node.config.v.maxmemoryPolicy],
    ['allocator_frag_ratio', ratio(active, allocated)],
    ['allocator_frag_bytes', active - allocated],
    ['allocator_rss_ratio', ratio(resident, active)],
    ['allocator_rss_bytes', resident - active],
    ['rss_overhead_ratio', ratio(rss, resident)],
    ['rss_overhead_bytes', rss - resident],
    ['mem_fragmentation_ratio', ratio(rss, used)],
    ['mem_fragmentation_bytes', rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clientsMem],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', `v8-${process.versions.v8}`],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ];
}

/** Redis's persistence fields with what Cinnabar knows; the durability layer overrides them. */
function persistenceSection(node: NodeContext): InfoField[] {
  return [
    ['loading', 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', node.keyspace.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', Math.floor(node.lastSaveAt / 1000)],
    ['rdb_last_bgsave_status', 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['rdb_saves', 0],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', 0],
    ['rdb_last_load_keys_loaded', 0],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ];
}

function statsSection(node: NodeContext, st: InfoState): InfoField[] {
  const s = node.stats;
  const ks = node.keyspace.stats;
  return [
    ['total_connections_received', s.totalConnectionsReceived],
    ['total_commands_processed', s.totalCommandsProcessed],
    ['instantaneous_ops_per_sec', Math.trunc(st.ops.value)],
    ['total_net_input_bytes', s.netInputBytes],
    ['total_net_output_bytes', s.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', formatFixed(st.netIn.value / 1024, 2)],
    ['instantaneous_output_kbps', formatFixed(st.netOut.value / 1024, 2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', ks.expiredKeys],
    ['expired_stale_perc', formatFixed(ks.expiredStalePerc * 100, 2)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReached],
    ['expire_cycle_cpu_milliseconds', Math.round(ks.expireCycleCpuMs)],
    ['evicted_keys', 0],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', 0],
    ['pubsub_patterns', 0],
    ['pubsubshard_channels', 0],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', s.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', 0],
    ['total_writes_processed', 0],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ];
}

/** A primary with no replicas; the replication layer replaces or overrides these. */
function replicationSection(_node: NodeContext, st: InfoState): InfoField[] {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', st.replid],
    ['master_replid2', '0000000000000000000000000000000000000000'],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ];
}

function cpuSection(): InfoField[] {
  const u = process.cpuUsage();
  // Node has no per-thread figure before v23: the main thread does all the work, so the
  // process figures stand for it.
  return [
    ['used_cpu_sys', seconds6(u.system)],
    ['used_cpu_user', seconds6(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', seconds6(u.system)],
    ['used_cpu_user_main_thread', seconds6(u.user)],
  ];
}

/** cmdstat_<name>:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=.. */
function commandstatsSection(node: NodeContext): InfoField[] {
  const out: InfoField[] = [];
  for (const cmd of node.commands.everyCommand()) {
    if (cmd.calls === 0 && cmd.failedCalls === 0 && cmd.rejectedCalls === 0) continue;
    const usec = commandUsec(cmd);
    // Redis divides in single precision: (float)microseconds / calls.
    const perCall = cmd.calls === 0 ? 0 : Math.fround(Math.fround(usec) / cmd.calls);
    out.push([
      'cmdstat_' + cmd.fullName,
      `calls=${cmd.calls},usec=${usec},usec_per_call=${formatFixed(perCall, 2)},rejected_calls=${cmd.rejectedCalls},failed_calls=${cmd.failedCalls}`,
    ]);
  }
  return out;
}

/** errorstat_<CODE>:count=N, sorted by code as Redis's radix tree keeps them. */
function errorstatsSection(node: NodeContext): InfoField[] {
  const codes = [...node.stats.errorCounts.keys()].sort();
  return codes.map((code) => ['errorstat_' + code, `count=${node.stats.errorCounts.get(code)}`] as const);
}

function keyspaceSection(node: NodeContext): InfoField[] {
  const out: InfoField[] = [];
  for (const db of node.keyspace.dbs) {
    if (db.size === 0) continue;
    out.push([`db${db.id}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${db.avgTtl}`]);
  }
  return out;
}

function sectionFields(node: NodeContext, st: InfoState, name: InfoSection): InfoField[] {
  switch (name) {
    case 'server':
      return serverSection(node);
    case 'clients':
      return clientsSection(node);
    case 'memory':
      return memorySection(node);
    case 'persistence':
      return persistenceSection(node);
    case 'stats':
      return statsSection(node, st);
    case 'replication':
      return replicationSection(node, st);
    case 'cpu':
      return cpuSection();
    case 'commandstats':
      return commandstatsSection(node);
    case 'errorstats':
      return errorstatsSection(node);
    case 'cluster':
      return [['cluster_enabled', 0]];
    case 'keyspace':
      return keyspaceSection(node);
    case 'modules':
    case 'latencystats':
      return [];
  }
}

/** A section's fields after the providers of other layers had their say. */
function resolvedFields(node: NodeContext, st: InfoState, name: InfoSection): readonly InfoField[] {
  const p = st.providers.get(name);
  if (p === undefined) return sectionFields(node, st, name);
  let fields: InfoField[] = p.replace ? [...p.replace(node)] : sectionFields(node, st, name);
  for (const provider of p.merge) {
    const extra = provider(node);
    if (extra.length === 0) continue;
    const index = new Map(fields.map((f, i) => [f[0], i]));
    fields = [...fields];
    for (const f of extra) {
      const i = index.get(f[0]);
      if (i === undefined) {
        index.set(f[0], fields.length);
        fields.push(f);
      } else {
        fields[i] = f;
      }
    }
  }
  return fields;
}

// ── INFO ─────────────────────────────────────────────────────────────────────────────────

/** server.c genInfoSectionDict: which sections INFO's arguments ask for. */
export function selectSections(args: readonly string[]): Set<InfoSection> {
  const wanted = new Set<InfoSection>();
  const addDefaults = (): void => {
    for (const s of SECTIONS) if (s.isDefault) wanted.add(s.name);
  };
  if (args.length === 0) addDefaults();
  for (const a of args) {
    const name = a.toLowerCase();
    if (name === 'all' || name === 'everything') for (const s of SECTIONS) wanted.add(s.name);
    else if (name === 'default') addDefaults();
    else if (name === 'module_list') wanted.add('modules');
    else {
      const s = SECTIONS.find((x) => x.name === name);
      if (s !== undefined) wanted.add(s.name);
    }
  }
  return wanted;
}

/** The INFO text for the chosen sections: "# Title\r\n" and "name:value\r\n" lines, blank line between. */
export function genInfo(node: NodeContext, wanted: ReadonlySet<InfoSection>): string {
  const st = stateOf(node);
  ensureSampler(node, st);
  const parts: string[] = [];
  for (const s of SECTIONS) {
    if (!wanted.has(s.name)) continue;
    let text = parts.length === 0 ? '' : '\r\n';
    text += '# ' + s.title + '\r\n';
    for (const [k, v] of resolvedFields(node, st, s.name)) text += k + ':' + v + '\r\n';
    parts.push(text);
  }
  return parts.join('');
}

function info(c: Client, args: string[], node: NodeContext): void {
  c.verbatim(genInfo(node, selectSections(args.slice(1))));
}

export const infoCommands: CommandSpec[] = [
  {
    name: 'info',
    arity: -1,
    flags: ['loading', 'stale'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run: info,
  },
];
