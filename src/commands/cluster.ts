// CLUSTER and its subcommands, ASKING, READONLY, READWRITE: Redis 7.0's replies and error
// texts (cluster.c clusterCommand). They act on the node's Cluster (src/cluster/); on a
// standalone node every one of them answers "This instance has cluster support disabled".

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { subcommand, type CommandFlag, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { parseI64 } from './args';
import { subcommandSyntaxError } from './client';
import type { Cluster } from '../cluster/cluster';
import { clusterInfo, clusterNodes, nodeLine, slotRanges } from '../cluster/render';
import type { ClusterNode } from '../cluster/node-table';
import { keySlot, SLOT_COUNT } from '../cluster/slot';
import { clusterStateOf } from '../cluster/redirect';
import { statusLines } from '../resp/replies';

type ClusterHandler = (c: Client, args: string[], cluster: Cluster, node: NodeContext) => void;

/** Wraps a handler: refused on standalone nodes, given the Cluster otherwise. */
function inCluster(run: ClusterHandler): Handler {
  return (c, args, node) => {
    const cluster = node.cluster;
    if (cluster === null) return c.error(Err.clusterDisabled);
    run(c, args, cluster, node);
  };
}

/** getSlotOrReply's parsing: a slot number, or undefined when `s` is not one. */
function parseSlot(s: string): number | undefined {
  const n = parseI64(s);
  return n === undefined || n < 0 || n >= SLOT_COUNT ? undefined : n;
}

/** getSlotOrReply: a slot number or undefined after replying the error. */
function slotArg(c: Client, s: string): number | undefined {
  const n = parseSlot(s);
  if (n === undefined) c.error(Err.invalidSlot);
  return n;
}

// ── Introspection ────────────────────────────────────────────────────────────────────────

const info: ClusterHandler = (c, _args, cluster) => {
  c.verbatim(clusterInfo(cluster.table, cluster.ok, cluster.size, cluster.stats));
};

const nodes: ClusterHandler = (c, _args, cluster) => {
  c.verbatim(clusterNodes(cluster.table, Date.now()));
};

const myid: ClusterHandler = (c, _args, cluster) => c.bulk(cluster.myself.id);

/** addNodeToNodeReply: endpoint, port, id, then a map of the other networking metadata. */
function nodeEntry(c: Client, cluster: Cluster, n: ClusterNode): void {
  const type = cluster.endpointType;
  const extra: Array<[string, string]> = [];
  if (type !== 'ip') extra.push(['ip', n.ip]);
  if (type !== 'hostname' && n.hostname !== '') extra.push(['hostname', n.hostname]);
  c.arrayHeader(4);
  c.bulk(cluster.endpointOf(n));
  c.int(n.port);
  c.bulk(n.id);
  c.mapHeader(extra.length);
  for (const [k, v] of extra) {
    c.bulk(k);
    c.bulk(v);
  }
}

const slots: ClusterHandler = (c, _args, cluster) => {
  const table = cluster.table;
  const ranges: Array<[number, number, ClusterNode]> = [];
  let start = 0;
  let owner: ClusterNode | null = null;
  for (let s = 0; s <= SLOT_COUNT; s++) {
    const n = s < SLOT_COUNT ? table.slots[s] : null;
    if (n === owner) continue;
    if (owner !== null) ranges.push([start, s - 1, owner]);
    owner = n;
    start = s;
  }
  c.arrayHeader(ranges.length);
  for (const [a, b, n] of ranges) {
    const replicas = n.replicas.filter((r) => !r.failed);
    c.arrayHeader(3 + replicas.length);
    c.int(a);
    c.int(b);
    nodeEntry(c, cluster, n);
    for (const r of replicas) nodeEntry(c, cluster, r);
  }
};

/** One node of CLUSTER SHARDS (addShardReplyForClusterShards). */
function shardNode(c: Client, cluster: Cluster, n: ClusterNode): void {
  const fields: Array<[string, string | number]> = [['id', n.id], ['port', n.port], ['ip', n.ip], ['endpoint', cluster.endpointOf(n)]];
  if (n.hostname !== '') fields.push(['hostname', n.hostname]);
  fields.push(['role', n.isReplica ? 'replica' : 'master']);
  const offset = n === cluster.myself ? cluster.replOffset() : n.replOffset;
  fields.push(['replication-offset', offset]);
  fields.push(['health', n.failed ? 'fail' : n.isReplica && offset === 0 ? 'loading' : 'online']);
  c.mapHeader(fields.length);
  for (const [k, v] of fields) {
    c.bulk(k);
    if (typeof v === 'number') c.int(v);
    else c.bulk(v);
  }
}

const shards: ClusterHandler = (c, _args, cluster) => {
  const primaries = [...cluster.table.nodes.values()].filter((n) => n.isMaster);
  c.arrayHeader(primaries.length);
  for (const p of primaries) {
    c.mapHeader(2);
    c.bulk('slots');
    const ranges = slotRanges(p);
    c.arrayHeader(ranges.length * 2);
    for (const [a, b] of ranges) {
      c.int(a);
      c.int(b);
    }
    c.bulk('nodes');
    c.arrayHeader(1 + p.replicas.length);
    shardNode(c, cluster, p);
    for (const r of p.replicas) shardNode(c, cluster, r);
  }
};

const links: ClusterHandler = (c, _args, cluster) => {
  const all: Array<{ dir: 'to' | 'from'; node: ClusterNode; at: number; pending: number }> = [];
  for (const n of cluster.table.nodes.values()) {
    const out = cluster.outbound.get(n);
    if (out !== undefined && n.linked) all.push({ dir: 'to', node: n, at: out.createdAt, pending: out.pendingBytes });
    const inb = cluster.inbound.get(n);
    if (inb !== undefined) all.push({ dir: 'from', node: n, at: inb.createdAt, pending: inb.pendingBytes });
  }
  c.arrayHeader(all.length);
  for (const l of all) {
    c.mapHeader(6);
    c.bulk('direction');
    c.bulk(l.dir);
    c.bulk('node');
    c.bulk(l.node.id);
    c.bulk('create-time');
    c.int(l.at);
    c.bulk('events');
    c.bulk(l.pending > 0 ? 'rw' : 'r');
    c.bulk('send-buffer-allocated');
    c.int(l.pending);
    c.bulk('send-buffer-used');
    c.int(l.pending);
  }
};

const keyslot: ClusterHandler = (c, args) => c.int(keySlot(args[2]));

const countkeysinslot: ClusterHandler = (c, args, cluster) => {
  const slot = parseI64(args[2]);
  if (slot === undefined) return c.error(Err.notInteger);
  if (slot < 0 || slot >= SLOT_COUNT) return c.error(Err.invalidSlotPlain);
  c.int(cluster.slotIndex.count(slot));
};

const getkeysinslot: ClusterHandler = (c, args, cluster) => {
  const max = parseI64(args[3]);
  if (max === undefined) return c.error(Err.notInteger);
  const slot = parseI64(args[2]);
  if (slot === undefined) return c.error(Err.notInteger);
  if (max < 0 || slot < 0 || slot >= SLOT_COUNT) return c.error(Err.invalidSlotOrCount);
  c.bulkArray(cluster.slotIndex.keys(slot, max));
};

const countFailureReports: ClusterHandler = (c, args, cluster) => {
  const n = cluster.table.get(args[2]);
  if (n === undefined) return c.error(Err.unknownNode(args[2]));
  c.int(cluster.table.failureReportCount(n, cluster.nodeTimeout * 2, Date.now()));
};

const replicas: ClusterHandler = (c, args, cluster) => {
  const n = cluster.table.get(args[2]);
  if (n === undefined) return c.error(Err.unknownNode(args[2]));
  if (!n.isMaster) return c.error(Err.notAMaster);
  const now = Date.now();
  c.bulkArray(n.replicas.map((r) => nodeLine(cluster.table, r, now, false)));
};

// ── Configuration ────────────────────────────────────────────────────────────────────────

const meet: ClusterHandler = (c, args, cluster) => {
  if (args.length > 5) return subcommandSyntaxError(c, args);
  const port = parseI64(args[3]);
  if (port === undefined) return c.error(Err.invalidBasePort(args[3]));
  let cport = port + 10000;
  if (args.length === 5) {
    const p = parseI64(args[4]);
    if (p === undefined) return c.error(Err.invalidBusPort(args[4]));
    cport = p;
  }
  if (!cluster.startHandshake(args[2], port, cport)) return c.error(Err.invalidNodeAddress(args[2], args[3]));
  c.ok();
};

const forget: ClusterHandler = (c, args, cluster) => {
  const n = cluster.table.get(args[2]);
  if (n === undefined) return c.error(Err.unknownNode(args[2]));
  if (n === cluster.myself) return c.error(Err.forgetMyself);
  if (cluster.myself.isReplica && cluster.myself.replicaOf === n) return c.error(Err.forgetMyPrimary);
  cluster.forget(n);
  c.ok();
};

/**
 * ADDSLOTS/DELSLOTS[RANGE] arguments: slot ranges in argument order and, when an argument is
 * bad, its error. ADDSLOTS/DELSLOTS refuse a bad slot before checking any assignment (no
 * ranges then); the RANGE forms check each pair as Redis reads it, so the ranges before a
 * bad pair are checked (and may fail) first.
 */
interface SlotRangesArgs {
  ranges: Array<[number, number]>;
  error: string | null;
}

function parseSlotList(args: string[]): SlotRangesArgs {
  const ranges: Array<[number, number]> = [];
  for (let i = 2; i < args.length; i++) {
    const s = parseSlot(args[i]);
    if (s === undefined) return { ranges: [], error: Err.invalidSlot };
    ranges.push([s, s]);
  }
  return { ranges, error: null };
}

function parseSlotRangeList(args: string[]): SlotRangesArgs {
  const ranges: Array<[number, number]> = [];
  if (args.length % 2 === 1) return { ranges, error: Err.wrongArity(`cluster|${args[1].toLowerCase()}`) };
  for (let i = 2; i < args.length; i += 2) {
    const from = parseSlot(args[i]);
    const to = parseSlot(args[i + 1]);
    if (from === undefined || to === undefined) return { ranges, error: Err.invalidSlot };
    if (from > to) return { ranges, error: Err.slotRangeOrder(from, to) };
    ranges.push([from, to]);
  }
  return { ranges, error: null };
}

/** checkSlotAssignmentsOrReply over [from, to]; `seen` collects slots of this command. */
function checkSlots(c: Client, cluster: Cluster, seen: Uint8Array, del: boolean, from: number, to: number): boolean {
  for (let s = from; s <= to; s++) {
    const owner = cluster.table.slots[s];
    if (del && owner === null) {
      c.error(Err.slotUnassigned(s));
      return false;
    }
    if (!del && owner !== null) {
      c.error(Err.slotBusy(s));
      return false;
    }
    if (seen[s]++ === 1) {
      c.error(Err.slotTwice(s));
      return false;
    }
  }
  return true;
}

/** CLUSTER ADDSLOTS, DELSLOTS and their RANGE forms: parse, check every range, then assign. */
function slotsCommand(del: boolean, parse: (args: string[]) => SlotRangesArgs): ClusterHandler {
  return (c, args, cluster) => {
    const { ranges, error } = parse(args);
    const seen = new Uint8Array(SLOT_COUNT);
    for (const [from, to] of ranges) if (!checkSlots(c, cluster, seen, del, from, to)) return;
    if (error !== null) return c.error(error);
    const table = cluster.table;
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (seen[s] === 0) continue;
      if (del) {
        table.delSlot(s);
      } else {
        table.importingFrom[s] = null;
        table.addSlot(cluster.myself, s);
      }
    }
    cluster.slotsChanged();
    c.ok();
  };
}

const flushslots: ClusterHandler = (c, _args, cluster, node) => {
  if (node.keyspace.dbs[0].size !== 0) return c.error(Err.flushslotsNotEmpty);
  cluster.table.delNodeSlots(cluster.myself);
  cluster.slotsChanged();
  c.ok();
};

const setConfigEpoch: ClusterHandler = (c, args, cluster) => {
  const epoch = parseI64(args[2]);
  if (epoch === undefined) return c.error(Err.notInteger);
  if (epoch < 0) return c.error(Err.invalidConfigEpoch(args[2]));
  if (cluster.table.nodes.size > 1) return c.error(Err.configEpochNotAlone);
  if (cluster.myself.configEpoch !== 0) return c.error(Err.configEpochNonZero);
  cluster.myself.configEpoch = epoch;
  if (cluster.table.currentEpoch < epoch) cluster.table.currentEpoch = epoch;
  cluster.slotsChanged();
  c.ok();
};

const bumpepoch: ClusterHandler = (c, _args, cluster) => {
  const bumped = cluster.bumpEpoch();
  c.status(`${bumped ? 'BUMPED' : 'STILL'} ${cluster.myself.configEpoch}`);
};

const reset: ClusterHandler = (c, args, cluster, node) => {
  if (args.length > 3) return subcommandSyntaxError(c, args);
  let hard = false;
  if (args.length === 3) {
    const how = args[2].toLowerCase();
    if (how === 'hard') hard = true;
    else if (how !== 'soft') return c.error(Err.syntax);
  }
  if (cluster.myself.isMaster && node.keyspace.dbs[0].size !== 0) return c.error(Err.resetWithKeys);
  cluster.reset(hard);
  c.ok();
};

const saveconfig: ClusterHandler = (c, _args, cluster) => {
  const err = cluster.trySaveConfig();
  if (err !== null) return c.error(Err.saveConfigFailed(err));
  c.ok();
};

const replicate: ClusterHandler = (c, args, cluster, node) => {
  const n = cluster.table.get(args[2]);
  if (n === undefined) return c.error(Err.unknownNode(args[2]));
  if (n === cluster.myself) return c.error(Err.replicateMyself);
  if (n.isReplica) return c.error(Err.replicateReplica);
  if (cluster.myself.isMaster && (cluster.myself.numSlots !== 0 || node.keyspace.dbs[0].size !== 0)) return c.error(Err.replicateNotEmpty);
  cluster.replicate(n);
  c.ok();
};

const setslot: ClusterHandler = (c, args, cluster) => {
  const table = cluster.table;
  const me = cluster.myself;
  if (me.isReplica) return c.error(Err.setslotOnReplica);
  const slot = slotArg(c, args[2]);
  if (slot === undefined) return;
  const action = args[3].toLowerCase();
  if (action === 'migrating' && args.length === 5) {
    if (table.slots[slot] !== me) return c.error(Err.notOwner(slot));
    const n = table.get(args[4]);
    if (n === undefined) return c.error(Err.dontKnowNode(args[4]));
    if (n.isReplica) return c.error(Err.targetNotMaster);
    table.migratingTo[slot] = n;
  } else if (action === 'importing' && args.length === 5) {
    if (table.slots[slot] === me) return c.error(Err.alreadyOwner(slot));
    const n = table.get(args[4]);
    if (n === undefined) return c.error(Err.dontKnowNode(args[4]));
    if (n.isReplica) return c.error(Err.targetNotMaster);
    table.importingFrom[slot] = n;
  } else if (action === 'stable' && args.length === 4) {
    table.importingFrom[slot] = null;
    table.migratingTo[slot] = null;
  } else if (action === 'node' && args.length === 5) {
    const n = table.get(args[4]);
    if (n === undefined) return c.error(Err.unknownNode(args[4]));
    if (n.isReplica) return c.error(Err.targetNotMaster);
    const keys = cluster.slotIndex.count(slot);
    if (table.slots[slot] === me && n !== me && keys !== 0) return c.error(Err.slotStillHasKeys(slot));
    if (keys === 0 && table.migratingTo[slot] !== null) table.migratingTo[slot] = null;
    const wasMine = table.slots[slot] === me;
    table.delSlot(slot);
    table.addSlot(n, slot);
    if (wasMine && n !== me && me.numSlots === 0 && cluster.allowReplicaMigration) {
      cluster.replicate(n);
    }
    if (n === me && table.importingFrom[slot] !== null) {
      cluster.bumpEpoch();
      table.importingFrom[slot] = null;
      cluster.broadcastPong();
    }
  } else {
    return c.error(Err.setslotSyntax);
  }
  cluster.slotsChanged();
  c.ok();
};

// ── Per-connection commands ─────────────────────────────────────────────────────────────

const asking: ClusterHandler = (c) => {
  clusterStateOf(c).asking = true;
  c.ok();
};

const readonly: ClusterHandler = (c) => {
  clusterStateOf(c).readonly = true;
  c.ok();
};

const readwrite: ClusterHandler = (c) => {
  const st = clusterStateOf(c);
  st.readonly = false;
  c.ok();
};

// ── Table ────────────────────────────────────────────────────────────────────────────────

const HELP = [
  'CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'MYID',
  '    Return the node id.',
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
  'HELP',
  '    Prints this help.',
];
const HELP_REPLY = statusLines(HELP);

const ADMIN: readonly CommandFlag[] = ['admin', 'stale', 'no_async_loading'];
const ADMIN_STALE: readonly CommandFlag[] = ['admin', 'stale'];
const STALE: readonly CommandFlag[] = ['stale'];

function sub(name: string, arity: number, flags: readonly CommandFlag[], run: ClusterHandler): CommandSpec {
  return subcommand(name, arity, flags, 'cluster', inCluster(run));
}

function plain(name: string, flags: readonly CommandFlag[], run: ClusterHandler): CommandSpec {
  return { name, arity: 1, flags, firstKey: 0, lastKey: 0, step: 0, group: 'cluster', run: inCluster(run) };
}

export const clusterCommands: CommandSpec[] = [
  {
    name: 'cluster',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'cluster',
    subcommands: [
      sub('addslots', -3, ADMIN, slotsCommand(false, parseSlotList)),
      sub('addslotsrange', -4, ADMIN, slotsCommand(false, parseSlotRangeList)),
      sub('bumpepoch', 2, ADMIN, bumpepoch),
      sub('count-failure-reports', 3, ADMIN_STALE, countFailureReports),
      sub('countkeysinslot', 3, STALE, countkeysinslot),
      sub('delslots', -3, ADMIN, slotsCommand(true, parseSlotList)),
      sub('delslotsrange', -4, ADMIN, slotsCommand(true, parseSlotRangeList)),
      sub('flushslots', 2, ADMIN, flushslots),
      sub('forget', 3, ADMIN, forget),
      sub('getkeysinslot', 4, STALE, getkeysinslot),
      sub('help', 2, ['loading', 'stale'], (c) => c.write(HELP_REPLY)),
      sub('info', 2, STALE, info),
      sub('keyslot', 3, STALE, keyslot),
      sub('links', 2, STALE, links),
      sub('meet', -4, ADMIN, meet),
      sub('myid', 2, STALE, myid),
      sub('nodes', 2, STALE, nodes),
      sub('replicas', 3, ADMIN_STALE, replicas),
      sub('replicate', 3, ADMIN, replicate),
      sub('reset', -2, ['admin', 'noscript', 'stale'], reset),
      sub('saveconfig', 2, ADMIN, saveconfig),
      sub('set-config-epoch', 3, ADMIN, setConfigEpoch),
      sub('setslot', -4, ['admin', 'stale', 'no_async_loading'], setslot),
      sub('shards', 2, STALE, shards),
      sub('slaves', 3, ADMIN_STALE, replicas),
      sub('slots', 2, STALE, slots),
    ],
  },
  plain('asking', ['fast'], asking),
  plain('readonly', ['loading', 'stale', 'fast'], readonly),
  plain('readwrite', ['loading', 'stale', 'fast'], readwrite),
];
