// The cluster as one node sees it (Redis's clusterState): every known node with its flags,
// addresses, epochs, role and slots; who serves each slot; slots being migrated or
// imported; the current epoch. Pure data plus the invariants that tie it together (a slot
// has one owner, a replica hangs off its primary); the bus and commands change it through
// these methods.

import { randomBytes } from 'node:crypto';
import { SLOT_COUNT } from './slot';

/** Node flags with Redis's bit values (cluster.h CLUSTER_NODE_*). */
export const NodeFlag = {
  MYSELF: 1,
  MASTER: 2,
  REPLICA: 4,
  PFAIL: 8,
  FAIL: 16,
  HANDSHAKE: 32,
  NOADDR: 64,
  MEET: 128,
  MIGRATE_TO: 256,
  NOFAILOVER: 512,
} as const;

/** CLUSTER NODES flag names in Redis's order (redisNodeFlagsTable). */
const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [NodeFlag.MYSELF, 'myself'],
  [NodeFlag.MASTER, 'master'],
  [NodeFlag.REPLICA, 'slave'],
  [NodeFlag.PFAIL, 'fail?'],
  [NodeFlag.FAIL, 'fail'],
  [NodeFlag.HANDSHAKE, 'handshake'],
  [NodeFlag.NOADDR, 'noaddr'],
  [NodeFlag.NOFAILOVER, 'nofailover'],
];

export function flagsToString(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) names.push(name);
  return names.length === 0 ? 'noflags' : names.join(',');
}

/** Parses "myself,master" (nodes.conf); unknown names are ignored, "noflags" is none. */
export function flagsFromString(s: string): number {
  let flags = 0;
  for (const name of s.split(',')) {
    const f = FLAG_NAMES.find(([, n]) => n === name);
    if (f !== undefined) flags |= f[0];
  }
  return flags;
}

export const NODE_ID_LEN = 40;

export function randomNodeId(): string {
  return randomBytes(20).toString('hex');
}

export function isNodeId(s: string): boolean {
  return s.length === NODE_ID_LEN && /^[0-9a-f]{40}$/.test(s);
}

/** One node of the cluster (Redis's clusterNode). */
export class ClusterNode {
  ip = '';
  port = 0;
  cport = 0;
  hostname = '';
  configEpoch = 0;
  /** The primary this node replicates, when it is a replica. */
  replicaOf: ClusterNode | null = null;
  readonly replicas: ClusterNode[] = [];
  /** Unix ms of the PING in flight (0: none), of the last PONG, of any data from it. */
  pingSent = 0;
  pongReceived = 0;
  dataReceived = 0;
  /** Unix ms it was flagged FAIL. */
  failTime = 0;
  /** Replication offset it last announced. */
  replOffset = 0;
  /** Slots it claims (bitmap, bit i of byte i>>3 as Redis: byte = slot/8, bit = slot&7). */
  readonly slots = new Uint8Array(SLOT_COUNT / 8);
  numSlots = 0;
  /** Primaries that reported it failing: reporter id → Unix ms of the latest report. */
  readonly failReports = new Map<string, number>();
  readonly createdAt = Date.now();
  /** An outgoing bus link to it is up (CLUSTER NODES "connected"); kept by the bus. */
  linked = false;

  constructor(
    public id: string,
    public flags: number,
  ) {}

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  get isMaster(): boolean {
    return (this.flags & NodeFlag.MASTER) !== 0;
  }

  get isReplica(): boolean {
    return (this.flags & NodeFlag.REPLICA) !== 0;
  }

  get failed(): boolean {
    return (this.flags & NodeFlag.FAIL) !== 0;
  }

  get inHandshake(): boolean {
    return (this.flags & NodeFlag.HANDSHAKE) !== 0;
  }

  ownsSlot(slot: number): boolean {
    return (this.slots[slot >> 3] & (1 << (slot & 7))) !== 0;
  }

  /** The config epoch it speaks with: a replica's is its primary's (nodeEpoch). */
  get epoch(): number {
    return this.isReplica && this.replicaOf !== null ? this.replicaOf.configEpoch : this.configEpoch;
  }
}

export class NodeTable {
  readonly nodes = new Map<string, ClusterNode>();
  /** Who serves each slot. */
  readonly slots: Array<ClusterNode | null> = new Array<ClusterNode | null>(SLOT_COUNT).fill(null);
  readonly migratingTo: Array<ClusterNode | null> = new Array<ClusterNode | null>(SLOT_COUNT).fill(null);
  readonly importingFrom: Array<ClusterNode | null> = new Array<ClusterNode | null>(SLOT_COUNT).fill(null);
  currentEpoch = 0;
  lastVoteEpoch = 0;
  /** Forgotten nodes gossip may not re-add until the time (Unix ms) passes (CLUSTER FORGET). */
  readonly blacklist = new Map<string, number>();

  constructor(public myself: ClusterNode) {
    this.nodes.set(myself.id, myself);
  }

  get(id: string): ClusterNode | undefined {
    return this.nodes.get(id);
  }

  add(node: ClusterNode): void {
    this.nodes.set(node.id, node);
  }

  /** Gives a handshake node the id it announced (clusterRenameNode). */
  rename(node: ClusterNode, id: string): void {
    this.nodes.delete(node.id);
    node.id = id;
    this.nodes.set(id, node);
  }

  /** Removes a node and every reference to it (clusterDelNode). */
  remove(node: ClusterNode): void {
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (this.importingFrom[s] === node) this.importingFrom[s] = null;
      if (this.migratingTo[s] === node) this.migratingTo[s] = null;
      if (this.slots[s] === node) this.slots[s] = null;
    }
    for (const other of this.nodes.values()) other.failReports.delete(node.id);
    this.setPrimary(node, null);
    for (const r of [...node.replicas]) if (r.replicaOf === node) r.replicaOf = null;
    node.replicas.length = 0;
    this.nodes.delete(node.id);
  }

  /** clusterAddSlot: false when the slot already has an owner. */
  addSlot(node: ClusterNode, slot: number): boolean {
    if (this.slots[slot] !== null) return false;
    this.setSlotBit(node, slot);
    this.slots[slot] = node;
    return true;
  }

  /** clusterDelSlot: false when nobody served it. */
  delSlot(slot: number): boolean {
    const n = this.slots[slot];
    if (n === null) return false;
    this.clearSlotBit(n, slot);
    this.slots[slot] = null;
    return true;
  }

  /** Removes every slot of `node`; returns how many it had. */
  delNodeSlots(node: ClusterNode): number {
    let deleted = 0;
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (this.slots[s] === node) {
        this.delSlot(s);
        deleted++;
      }
    }
    return deleted;
  }

  private setSlotBit(node: ClusterNode, slot: number): void {
    const bit = 1 << (slot & 7);
    if ((node.slots[slot >> 3] & bit) === 0) {
      node.slots[slot >> 3] |= bit;
      node.numSlots++;
      // A primary that gets its first slot is a migration target again (MIGRATE_TO).
      if (node.numSlots === 1 && node.isMaster) node.flags |= NodeFlag.MIGRATE_TO;
    }
  }

  private clearSlotBit(node: ClusterNode, slot: number): void {
    const bit = 1 << (slot & 7);
    if ((node.slots[slot >> 3] & bit) !== 0) {
      node.slots[slot >> 3] &= ~bit;
      node.numSlots--;
    }
  }

  /** Makes `node` a replica of `primary`, or a primary again with null. */
  setPrimary(node: ClusterNode, primary: ClusterNode | null): void {
    const old = node.replicaOf;
    if (old !== null) {
      const i = old.replicas.indexOf(node);
      if (i >= 0) old.replicas.splice(i, 1);
    }
    node.replicaOf = primary;
    if (primary === null) {
      if (node.isReplica) node.flags = (node.flags & ~NodeFlag.REPLICA) | NodeFlag.MASTER;
      return;
    }
    node.flags = (node.flags & ~NodeFlag.MASTER) | NodeFlag.REPLICA;
    if (!primary.replicas.includes(node)) primary.replicas.push(node);
  }

  /** The highest config epoch any node has (clusterGetMaxEpoch), at least currentEpoch. */
  maxEpoch(): number {
    let max = this.currentEpoch;
    for (const n of this.nodes.values()) if (n.configEpoch > max) max = n.configEpoch;
    return max;
  }

  /** Primaries serving at least one slot: the nodes cluster_size counts. */
  *servingPrimaries(): IterableIterator<ClusterNode> {
    for (const node of this.nodes.values()) if (node.isMaster && node.numSlots > 0) yield node;
  }

  /**
   * How many primaries serve slots now. Cluster.size is the same count as of the last state
   * evaluation (Redis's server.cluster->size), which CLUSTER INFO reports.
   */
  get size(): number {
    let n = 0;
    for (const _ of this.servingPrimaries()) n++;
    return n;
  }

  /** Failure reports younger than `maxAge` ms about `node` (clusterNodeFailureReportsCount). */
  failureReportCount(node: ClusterNode, maxAge: number, now: number): number {
    for (const [id, at] of node.failReports) if (now - at > maxAge) node.failReports.delete(id);
    return node.failReports.size;
  }
}
