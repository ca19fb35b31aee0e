// Cluster mode of a node (Redis's cluster.c minus replication and failover): owns the node
// table and nodes.conf, speaks the bus (MEET handshake, PING/PONG with gossip, FAIL,
// UPDATE), detects failures (PFAIL by timeout, FAIL by a majority of primaries), resolves
// config epoch collisions and keeps cluster_state. Commands reach it through the methods
// at the end; the gatekeeper through route() (redirect.ts).

import path from 'node:path';
import type { Logger } from '../log';
import type { Config } from '../config/config';
import type { Db } from '../keyspace/db';
import { Bus, Link, plainIp, type BusHandler } from './bus';
import {
  encodeFail,
  encodeGossip,
  encodeUpdate,
  MSG_TYPE_COUNT,
  MsgType,
  type BusHeader,
  type BusMessage,
  type GossipEntry,
} from './bus-message';
import { ClusterNode, NodeFlag, NodeTable, randomNodeId } from './node-table';
import { loadNodesConf, saveNodesConf } from './nodes-conf';
import { SlotIndex } from './slot-index';
import { strerror } from '../strerror';
import { SLOT_COUNT } from './slot';
import type { MessageStats } from './render';
import { isIP } from 'node:net';

/** ms after start-up during which a primary does not declare the cluster ok (CLUSTER_WRITABLE_DELAY). */
const WRITABLE_DELAY = 2000;
/** A FAIL primary with slots is cleared after node-timeout × this (CLUSTER_FAIL_UNDO_TIME_MULT). */
const FAIL_UNDO_MULT = 2;
/** Failure reports stay valid node-timeout × this (CLUSTER_FAIL_REPORT_VALIDITY_MULT). */
const REPORT_VALIDITY_MULT = 2;
const CRON_MS = 100;
/** Forgotten nodes stay out this long (CLUSTER_BLACKLIST_TTL, seconds). */
const BLACKLIST_TTL = 60_000;

/** Work done once at the end of an event-loop turn (CLUSTER_TODO_UPDATE_STATE, _SAVE_CONFIG). */
const Todo = {
  UPDATE_STATE: 1,
  SAVE_CONFIG: 2,
} as const;

export interface ClusterHost {
  readonly config: Config;
  readonly log: Logger;
  /** The one database of cluster mode. */
  readonly db: Db;
  /** The node's replication offset (for headers and CLUSTER SHARDS). */
  replOffset(): number;
  /** Deletes every key of a slot this node lost to another primary. */
  deleteKeysInSlot(slot: number): void;
}

export class Cluster implements BusHandler {
  table: NodeTable;
  readonly slotIndex = new SlotIndex();
  readonly stats: MessageStats = { sent: new Array<number>(MSG_TYPE_COUNT).fill(0), received: new Array<number>(MSG_TYPE_COUNT).fill(0) };
  ok = false;
  readonly bus: Bus;
  readonly configFile: string;
  /** Outgoing link per node id, and the incoming one. */
  readonly outbound = new Map<ClusterNode, Link>();
  readonly inbound = new Map<ClusterNode, Link>();
  private firstStateUpdate = 0;
  /**
   * table.size as of the last state evaluation (cluster_size in CLUSTER INFO, Redis's
   * server.cluster->size). Kept apart from the live count on purpose: the failure quorum
   * uses the live one, and switching it to this snapshot (as Redis does) would change when
   * FAIL is reached (a quorum of 1 while the writable delay holds the first evaluation back).
   */
  size = 0;
  private amongMinoritySince = 0;
  private iteration = 0;
  private cron: NodeJS.Timeout | null = null;
  /** Work left for the end of this event-loop turn (Todo bits, Redis's CLUSTER_TODO_*). */
  private todo = 0;
  private todoScheduled = false;
  private stopped = false;

  constructor(private readonly host: ClusterHost) {
    const v = host.config.v;
    this.configFile = path.resolve(v.dir, v.clusterConfigFile);
    const loaded = loadNodesConf(this.configFile);
    if (loaded !== null) {
      this.table = loaded;
      host.log.info({ id: loaded.myself.id, file: this.configFile }, 'Node configuration loaded, I\'m ' + loaded.myself.id);
    } else {
      this.table = new NodeTable(new ClusterNode(randomNodeId(), NodeFlag.MYSELF | NodeFlag.MASTER));
      host.log.info({ id: this.table.myself.id }, 'No cluster configuration found, I\'m ' + this.table.myself.id);
    }
    this.refreshMyAddress();
    host.config.onChange(['cluster-announce-ip', 'cluster-announce-port', 'cluster-announce-bus-port', 'cluster-announce-hostname'], () => {
      this.refreshMyAddress();
      this.configChanged();
    });
    host.db.slots = this.slotIndex;
    this.slotIndex.rebuild(host.db.dict.keys());
    this.bus = new Bus(this, host.log);
    this.saveConfig();
  }

  get myself(): ClusterNode {
    return this.table.myself;
  }

  private get v() {
    return this.host.config.v;
  }

  get nodeTimeout(): number {
    return Math.max(1, this.v.clusterNodeTimeout);
  }

  /** The bus port: cluster-port, or port + 10000. */
  get busPort(): number {
    return this.v.clusterPort !== 0 ? this.v.clusterPort : this.v.port + 10000;
  }

  /** Myself's announced address from the options (clusterUpdateMyselfAnnouncedPorts). */
  private refreshMyAddress(): void {
    const me = this.myself;
    const v = this.v;
    me.port = v.clusterAnnouncePort !== 0 ? v.clusterAnnouncePort : v.port;
    me.cport = v.clusterAnnounceBusPort !== 0 ? v.clusterAnnounceBusPort : this.busPort;
    if (v.clusterAnnounceIp !== '') me.ip = v.clusterAnnounceIp;
    me.hostname = v.clusterAnnounceHostname;
  }

  async start(): Promise<void> {
    // The slot index, attached in the constructor, was kept by every key the loading added.
    await this.bus.listen(this.busPort, this.v.bind);
    this.updateState();
    this.scheduleCron();
  }

  stop(): void {
    this.stopped = true;
    if (this.cron !== null) clearTimeout(this.cron);
    this.bus.close();
    this.saveConfig();
  }

  // ── End of the turn: state and nodes.conf ─────────────────────────────────────────

  /**
   * nodes.conf must be saved: once, at the end of this event-loop turn, however many changes
   * the turn's commands and bus messages make (clusterDoBeforeSleep(CLUSTER_TODO_SAVE_CONFIG)).
   */
  configChanged(): void {
    this.doBeforeSleep(Todo.SAVE_CONFIG);
  }

  /**
   * cluster_state must be re-evaluated at the end of this event-loop turn, as Redis does before
   * sleeping (a CLUSTER INFO pipelined behind CLUSTER ADDSLOTS still sees the old state).
   */
  stateMayHaveChanged(): void {
    this.doBeforeSleep(Todo.UPDATE_STATE);
  }

  /**
   * Slots, epochs or roles changed: both cluster_state and nodes.conf are due at the end of
   * the turn (clusterDoBeforeSleep(CLUSTER_TODO_UPDATE_STATE|CLUSTER_TODO_SAVE_CONFIG)).
   */
  slotsChanged(): void {
    this.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
  }

  private doBeforeSleep(flags: number): void {
    this.todo |= flags;
    if (this.todoScheduled) return;
    this.todoScheduled = true;
    // Turns without replies to write (bus messages, cron) do the work here; turns with
    // replies do it earlier, in beforeSleep() called by the server's flush.
    setImmediate(() => {
      this.todoScheduled = false;
      this.beforeSleep();
    });
  }

  /** True when beforeSleep() has nothing to do (replies need not wait for it). */
  get idle(): boolean {
    return this.todo === 0;
  }

  /**
   * clusterBeforeSleep: does the turn's deferred work once. The server calls it before it
   * writes the turn's replies, so a command's OK reaches the client only once nodes.conf
   * holds its effect.
   */
  beforeSleep(): void {
    if (this.todo === 0) return;
    const todo = this.todo;
    this.todo = 0;
    if (this.stopped) return;
    if (todo & Todo.UPDATE_STATE) this.updateState();
    if (todo & Todo.SAVE_CONFIG) this.saveConfig();
  }

  /** Saves nodes.conf now; a failure is logged (start-up, shutdown and end-of-turn saves). */
  private saveConfig(): void {
    const err = this.trySaveConfig();
    if (err !== null) this.host.log.error({ err, file: this.configFile }, 'could not save the cluster configuration');
  }

  // ── Messages out ───────────────────────────────────────────────────────────────────

  private header(type: number): BusHeader {
    const me = this.myself;
    const primary = me.isReplica ? me.replicaOf : me;
    return {
      type,
      sender: me.id,
      currentEpoch: this.table.currentEpoch,
      configEpoch: me.epoch,
      replOffset: this.host.replOffset(),
      flags: me.flags & 0xffff,
      port: me.port,
      cport: me.cport,
      clusterOk: this.ok,
      replicaOf: me.isReplica && me.replicaOf !== null ? me.replicaOf.id : '',
      // A replica advertises its primary's slots, as Redis does.
      slots: primary !== null ? primary.slots : me.slots,
      ip: this.v.clusterAnnounceIp,
      hostname: me.hostname,
    };
  }

  private send(link: Link, type: number, frame: Buffer): void {
    link.send(frame);
    this.stats.sent[type]++;
  }

  /** clusterSendPing: a PING, PONG or MEET with gossip about a few other nodes. */
  sendPing(link: Link, type: number): void {
    const now = Date.now();
    const candidates: ClusterNode[] = [];
    const pfail: ClusterNode[] = [];
    for (const n of this.table.nodes.values()) {
      if (n === this.myself || n.has(NodeFlag.HANDSHAKE | NodeFlag.NOADDR)) continue;
      if (n.has(NodeFlag.PFAIL)) pfail.push(n);
      else if (this.outbound.has(n) || n.numSlots > 0) candidates.push(n);
    }
    const others = this.table.nodes.size - 2;
    const wanted = Math.min(Math.max(3, Math.floor(this.table.nodes.size / 10)), Math.max(0, others));
    shuffle(candidates);
    const chosen = candidates.slice(0, wanted);
    for (const n of pfail) if (!chosen.includes(n)) chosen.push(n);
    const gossip: GossipEntry[] = chosen.map((n) => ({
      id: n.id,
      pingSent: Math.floor(n.pingSent / 1000),
      pongReceived: Math.floor(n.pongReceived / 1000),
      ip: n.ip,
      port: n.port,
      cport: n.cport,
      flags: n.flags & 0xffff,
    }));
    if (type === MsgType.PING && link.node !== null && link.node.pingSent === 0) link.node.pingSent = now;
    this.send(link, type, encodeGossip(this.header(type), gossip));
  }

  private broadcastFail(failing: ClusterNode): void {
    const frame = encodeFail(this.header(MsgType.FAIL), failing.id);
    for (const [n, link] of this.outbound) {
      if (n.has(NodeFlag.HANDSHAKE)) continue;
      this.send(link, MsgType.FAIL, frame);
    }
  }

  private sendUpdate(link: Link, about: ClusterNode): void {
    this.send(link, MsgType.UPDATE, encodeUpdate(this.header(MsgType.UPDATE), about.id, about.configEpoch, about.slots));
  }

  /** Tells every reachable node our new state at once (after SETSLOT NODE, failover). */
  broadcastPong(): void {
    for (const [n, link] of this.outbound) if (!n.has(NodeFlag.HANDSHAKE)) this.sendPing(link, MsgType.PONG);
  }

  // ── BusHandler ───────────────────────────────────────────────────────────────────────

  connected(link: Link): void {
    const node = link.node;
    if (node === null) return;
    node.linked = true;
    // Keep the time of a PING in flight across reconnections, or a dead node never times out.
    const oldPingSent = node.pingSent;
    this.sendPing(link, node.has(NodeFlag.MEET) ? MsgType.MEET : MsgType.PING);
    if (oldPingSent !== 0) node.pingSent = oldPingSent;
    node.flags &= ~NodeFlag.MEET;
  }

  closed(link: Link): void {
    const node = link.node;
    if (node === null) return;
    if (!link.inbound && this.outbound.get(node) === link) {
      // A connection that never came up counts as a PING sent, or a dead node never times out.
      if (!node.linked && node.pingSent === 0) node.pingSent = Date.now();
      this.outbound.delete(node);
      node.linked = false;
    } else if (link.inbound && this.inbound.get(node) === link) {
      this.inbound.delete(node);
    }
  }

  private freeLink(node: ClusterNode): void {
    const link = this.outbound.get(node);
    if (link !== undefined) link.close();
  }

  message(link: Link, msg: BusMessage): void {
    try {
      this.process(link, msg);
    } catch (err) {
      this.host.log.warn({ err: (err as Error).message, peer: link.peer }, 'dropping cluster bus link: message could not be processed');
      link.close();
    }
  }

  /** clusterProcessPacket. */
  private process(link: Link, msg: BusMessage): void {
    const h = msg.header;
    const type = h.type;
    const now = Date.now();
    this.stats.received[type]++;
    let sender = this.table.get(h.sender);
    if (sender !== undefined && sender.inHandshake) sender = undefined;
    if (sender === this.myself) {
      // Our own message came back (we met ourselves): nothing to learn.
      link.close();
      return;
    }
    if (sender !== undefined && link.inbound && link.node === null) {
      link.node = sender;
      const old = this.inbound.get(sender);
      if (old !== undefined && old !== link) old.close();
      this.inbound.set(sender, link);
    }
    if (sender !== undefined) {
      sender.dataReceived = now;
      if (h.currentEpoch > this.table.currentEpoch) {
        this.table.currentEpoch = h.currentEpoch;
        this.configChanged();
      }
      if (h.configEpoch > sender.configEpoch && h.replicaOf === '') {
        sender.configEpoch = h.configEpoch;
        this.configChanged();
      }
      sender.replOffset = h.replOffset;
    }

    if (type === MsgType.PING || type === MsgType.MEET) {
      // Learn our own address from how peers reach us, unless it is announced.
      if (this.v.clusterAnnounceIp === '' && (this.myself.ip === '' || type === MsgType.MEET)) {
        const ip = link.localIp;
        if (ip !== '' && ip !== this.myself.ip) {
          this.myself.ip = ip;
          this.host.log.info({ ip }, 'IP address for this node updated');
          this.configChanged();
        }
      }
      if (sender === undefined && type === MsgType.MEET) {
        const n = new ClusterNode(randomNodeId(), NodeFlag.HANDSHAKE);
        n.ip = h.ip !== '' ? h.ip : link.remoteIp;
        n.port = h.port;
        n.cport = h.cport;
        this.table.add(n);
        this.configChanged();
      }
      this.sendPing(link, MsgType.PONG);
    }

    if (msg.kind === 'gossip') {
      if (!link.inbound && link.node !== null) {
        const known = link.node;
        if (known.inHandshake) {
          if (sender !== undefined) {
            // We already know this node by id: the handshake was a duplicate.
            this.updateAddress(sender, link, h);
            this.deleteNode(known);
            return;
          }
          this.table.rename(known, h.sender);
          known.flags &= ~NodeFlag.HANDSHAKE;
          known.flags |= h.flags & (NodeFlag.MASTER | NodeFlag.REPLICA);
          this.host.log.info({ id: known.id }, 'Handshake with node completed');
          this.configChanged();
          sender = known;
          sender.dataReceived = now;
        } else if (known.id !== h.sender) {
          // The node at this address has another id now (reset): forget its address.
          this.host.log.info({ id: known.id, now: h.sender }, 'node at this address changed id; marking it noaddr');
          known.flags |= NodeFlag.NOADDR;
          known.ip = '';
          known.port = 0;
          known.cport = 0;
          link.close();
          this.configChanged();
          return;
        }
      }
      if (sender !== undefined && link.inbound && type === MsgType.PING) this.updateAddress(sender, link, h);

      if (!link.inbound && type === MsgType.PONG && link.node !== null && !link.node.inHandshake) {
        const n = link.node;
        n.pongReceived = now;
        n.pingSent = 0;
        if (n.has(NodeFlag.PFAIL)) {
          n.flags &= ~NodeFlag.PFAIL;
          this.stateMayHaveChanged();
        } else if (n.has(NodeFlag.FAIL)) {
          this.clearFailureIfNeeded(n);
        }
      }

      if (sender === undefined) return;
      this.updateRole(sender, h);
      const senderPrimary = sender.isMaster ? sender : sender.replicaOf;
      const dirtySlots = senderPrimary !== null && !bytesEqual(senderPrimary.slots, h.slots);
      if (sender.isMaster && dirtySlots) this.updateSlotsConfigWith(sender, h.configEpoch, h.slots);
      if (dirtySlots) {
        // Someone claims slots with an older epoch than their owner: tell them (UPDATE).
        for (let s = 0; s < SLOT_COUNT; s++) {
          if ((h.slots[s >> 3] & (1 << (s & 7))) === 0) continue;
          const owner = this.table.slots[s];
          if (owner === sender || owner === null) continue;
          if (owner.configEpoch > h.configEpoch) {
            this.sendUpdate(link, owner);
            break;
          }
        }
      }
      if (this.myself.isMaster && sender.isMaster && h.configEpoch === this.myself.configEpoch) this.handleEpochCollision(sender);
      this.processGossip(msg.gossip, sender, now);
      return;
    }

    if (msg.kind === 'fail') {
      if (sender === undefined) return;
      const failing = this.table.get(msg.failing);
      if (failing !== undefined && !failing.has(NodeFlag.FAIL | NodeFlag.MYSELF)) {
        this.host.log.info({ node: failing.id, reporter: sender.id }, 'FAIL message received');
        failing.flags = (failing.flags | NodeFlag.FAIL) & ~NodeFlag.PFAIL;
        failing.failTime = now;
        this.slotsChanged();
      }
      return;
    }

    if (msg.kind === 'update') {
      if (sender === undefined) return;
      const n = this.table.get(msg.node);
      if (n === undefined || n.configEpoch >= msg.configEpoch) return;
      if (n.isReplica) this.table.setPrimary(n, null);
      n.configEpoch = msg.configEpoch;
      this.updateSlotsConfigWith(n, msg.configEpoch, msg.slots);
      this.configChanged();
    }
  }

  /** nodeUpdateAddressIfNeeded: a known node now speaks from another address. */
  private updateAddress(node: ClusterNode, link: Link, h: BusHeader): void {
    if (node === this.myself || this.outbound.get(node) === link) return;
    const ip = h.ip !== '' ? h.ip : link.remoteIp;
    if (ip === node.ip && h.port === node.port && h.cport === node.cport) return;
    node.ip = ip;
    node.port = h.port;
    node.cport = h.cport;
    node.flags &= ~NodeFlag.NOADDR;
    this.freeLink(node);
    this.host.log.info({ node: node.id, ip, port: h.port }, 'Address updated for node');
    this.configChanged();
  }

  /** Role and primary as the sender announces them. */
  private updateRole(sender: ClusterNode, h: BusHeader): void {
    if (h.replicaOf === '') {
      if (sender.isReplica) {
        this.table.setPrimary(sender, null);
        this.configChanged();
      } else if (!sender.isMaster) {
        sender.flags |= NodeFlag.MASTER;
      }
      return;
    }
    const primary = this.table.get(h.replicaOf);
    if (sender.isMaster) {
      // A primary turned replica: its slots are no longer its own.
      this.table.delNodeSlots(sender);
      sender.flags &= ~NodeFlag.MIGRATE_TO;
      if (primary === undefined) {
        sender.flags = (sender.flags & ~NodeFlag.MASTER) | NodeFlag.REPLICA;
      }
      this.configChanged();
    }
    if (primary !== undefined && sender.replicaOf !== primary) {
      this.table.setPrimary(sender, primary);
      this.configChanged();
    }
  }

  /**
   * clusterUpdateSlotsConfigWith: `sender` claims `slots` with `epoch`; take each slot whose
   * owner has an older epoch (or none). A primary left without slots by this becomes a
   * replica of the taker (cluster-allow-replica-migration); slots lost while keeping others
   * get their keys deleted.
   */
  private updateSlotsConfigWith(sender: ClusterNode, epoch: number, slots: Uint8Array): void {
    const me = this.myself;
    if (sender === me) return;
    const curPrimary = me.isMaster ? me : me.replicaOf;
    let newPrimary: ClusterNode | null = null;
    let migratedOurSlots = 0;
    let senderSlots = 0;
    const dirty: number[] = [];
    let changed = false;
    for (let s = 0; s < SLOT_COUNT; s++) {
      if ((slots[s >> 3] & (1 << (s & 7))) === 0) continue;
      senderSlots++;
      const owner = this.table.slots[s];
      if (owner === sender) continue;
      if (this.table.importingFrom[s] !== null) continue;
      if (owner === null || owner.configEpoch < epoch) {
        if (owner === me && this.slotIndex.count(s) > 0) dirty.push(s);
        if (owner !== null && owner === curPrimary) {
          newPrimary = sender;
          migratedOurSlots++;
        }
        this.table.delSlot(s);
        this.table.addSlot(sender, s);
        changed = true;
      }
    }
    if (!changed) return;
    this.configChanged();
    if (newPrimary !== null && curPrimary !== null && curPrimary.numSlots === 0 && (this.v.clusterAllowReplicaMigration || senderSlots === migratedOurSlots)) {
      this.host.log.info({ primary: newPrimary.id }, 'Configuration change detected. Reconfiguring myself as a replica of the new owner of my slots');
      this.table.setPrimary(me, newPrimary);
    } else {
      for (const s of dirty) this.host.deleteKeysInSlot(s);
    }
    this.stateMayHaveChanged();
  }

  /** clusterHandleConfigEpochCollision: the node with the smaller id bumps its epoch. */
  private handleEpochCollision(sender: ClusterNode): void {
    if (sender.configEpoch !== this.myself.configEpoch || !sender.isMaster || !this.myself.isMaster) return;
    if (sender.id <= this.myself.id) return;
    this.table.currentEpoch++;
    this.myself.configEpoch = this.table.currentEpoch;
    this.configChanged();
    this.host.log.info({ epoch: this.myself.configEpoch }, 'WARNING: configEpoch collision with node ' + sender.id + '. configEpoch set to ' + this.myself.configEpoch);
  }

  /** clusterProcessGossipSection. */
  private processGossip(gossip: readonly GossipEntry[], sender: ClusterNode, now: number): void {
    for (const g of gossip) {
      const node = this.table.get(g.id);
      if (node !== undefined) {
        if (sender.isMaster && node !== this.myself) {
          if (g.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) {
            if (!node.failReports.has(sender.id)) this.host.log.debug({ node: node.id, reporter: sender.id }, 'failure report');
            node.failReports.set(sender.id, now);
            this.markFailingIfNeeded(node);
          } else {
            node.failReports.delete(sender.id);
          }
        }
        if (!(g.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) && node.pingSent === 0 && node.failReports.size === 0) {
          const pong = g.pongReceived * 1000;
          if (pong <= now + 500 && pong > node.pongReceived) node.pongReceived = pong;
        }
        if (node.has(NodeFlag.FAIL | NodeFlag.PFAIL) && !(g.flags & NodeFlag.NOADDR) && node !== this.myself && g.ip !== '' &&
            (node.ip !== g.ip || node.port !== g.port || node.cport !== g.cport)) {
          this.freeLink(node);
          node.ip = g.ip;
          node.port = g.port;
          node.cport = g.cport;
          node.flags &= ~NodeFlag.NOADDR;
          this.configChanged();
        }
      } else if (!(g.flags & NodeFlag.NOADDR) && g.ip !== '' && !this.blacklisted(g.id, now)) {
        this.startHandshake(g.ip, g.port, g.cport);
      }
    }
  }

  private blacklisted(id: string, now: number): boolean {
    const until = this.table.blacklist.get(id);
    if (until === undefined) return false;
    if (until <= now) {
      this.table.blacklist.delete(id);
      return false;
    }
    return true;
  }

  /** markNodeAsFailingIfNeeded: PFAIL + reports from a majority of primaries → FAIL. */
  private markFailingIfNeeded(node: ClusterNode): void {
    if (!node.has(NodeFlag.PFAIL) || node.has(NodeFlag.FAIL)) return;
    const needed = Math.floor(this.table.size / 2) + 1;
    let failures = this.table.failureReportCount(node, this.nodeTimeout * REPORT_VALIDITY_MULT, Date.now());
    if (this.myself.isMaster) failures++;
    if (failures < needed) return;
    this.host.log.info({ node: node.id }, 'Marking node as failing (quorum reached)');
    node.flags = (node.flags | NodeFlag.FAIL) & ~NodeFlag.PFAIL;
    node.failTime = Date.now();
    this.broadcastFail(node);
    this.slotsChanged();
  }

  /** clearNodeFailureIfNeeded: a FAIL node answers again. */
  private clearFailureIfNeeded(node: ClusterNode): void {
    const now = Date.now();
    if (node.isReplica || node.numSlots === 0 || now - node.failTime > this.nodeTimeout * FAIL_UNDO_MULT) {
      this.host.log.info({ node: node.id }, 'Clear FAIL state for node: it is reachable again');
      node.flags &= ~NodeFlag.FAIL;
      this.slotsChanged();
    }
  }

  /** clusterStartHandshake: false for an invalid address; no-op when one is in progress. */
  startHandshake(ip: string, port: number, cport: number): boolean {
    const norm = plainIp(ip);
    if (isIP(norm) === 0 || port <= 0 || port > 65535 || cport <= 0 || cport > 65535) return false;
    for (const n of this.table.nodes.values()) {
      if (n.inHandshake && n.ip === norm && n.port === port && n.cport === cport) return true;
    }
    const n = new ClusterNode(randomNodeId(), NodeFlag.HANDSHAKE | NodeFlag.MEET);
    n.ip = norm;
    n.port = port;
    n.cport = cport;
    this.table.add(n);
    return true;
  }

  deleteNode(node: ClusterNode): void {
    this.freeLink(node);
    const inLink = this.inbound.get(node);
    if (inLink !== undefined) inLink.close();
    this.outbound.delete(node);
    this.inbound.delete(node);
    this.table.remove(node);
    this.configChanged();
  }

  // ── Cron ─────────────────────────────────────────────────────────────────────────────

  private scheduleCron(): void {
    this.cron = setTimeout(() => {
      try {
        this.tick();
      } catch (err) {
        this.host.log.error({ err: (err as Error).stack }, 'cluster cron failed');
      }
      if (!this.stopped) this.scheduleCron();
    }, CRON_MS);
    this.cron.unref();
  }

  /** clusterCron. */
  tick(): void {
    const now = Date.now();
    const timeout = this.nodeTimeout;
    this.iteration++;
    const handshakeTimeout = Math.max(timeout, 1000);
    for (const node of [...this.table.nodes.values()]) {
      if (node === this.myself || node.has(NodeFlag.NOADDR)) continue;
      if (node.inHandshake && now - node.createdAt > handshakeTimeout) {
        this.deleteNode(node);
        continue;
      }
      if (!this.outbound.has(node) && node.ip !== '' && node.cport > 0) {
        const link = this.bus.connect(node);
        this.outbound.set(node, link);
      }
    }
    // Every second, PING the node that answered least recently among five random ones.
    if (this.iteration % 10 === 0) {
      const list = [...this.table.nodes.values()];
      let best: ClusterNode | null = null;
      for (let i = 0; i < 5 && list.length > 0; i++) {
        const n = list[Math.floor(Math.random() * list.length)];
        const link = this.outbound.get(n);
        if (n === this.myself || n.has(NodeFlag.HANDSHAKE) || link === undefined || !n.linked || n.pingSent !== 0) continue;
        if (best === null || n.pongReceived < best.pongReceived) best = n;
      }
      if (best !== null) this.sendPing(this.outbound.get(best)!, MsgType.PING);
    }
    let stateChanged = false;
    for (const node of this.table.nodes.values()) {
      if (node === this.myself || node.has(NodeFlag.NOADDR | NodeFlag.HANDSHAKE)) continue;
      const link = this.outbound.get(node);
      // A link that is up but silent for half the timeout is reconnected (the PING time stays).
      if (link !== undefined && now - link.createdAt > timeout && node.pingSent !== 0 &&
          now - node.pingSent > timeout / 2 && now - node.dataReceived > timeout / 2) {
        link.close();
      }
      if (link !== undefined && node.linked && node.pingSent === 0 && now - node.pongReceived > timeout / 2) {
        this.sendPing(link, MsgType.PING);
        continue;
      }
      if (node.pingSent !== 0) {
        const delay = Math.min(now - node.pingSent, now - node.dataReceived);
        if (delay > timeout && !node.has(NodeFlag.PFAIL | NodeFlag.FAIL)) {
          this.host.log.info({ node: node.id }, '*** NODE ' + node.id + ' possibly failing');
          node.flags |= NodeFlag.PFAIL;
          stateChanged = true;
        }
      }
    }
    if (stateChanged || !this.ok || this.iteration % 10 === 0) this.updateState();
  }

  /** clusterUpdateState; also computes cluster_size, which CLUSTER INFO reports. */
  updateState(): void {
    const now = Date.now();
    const me = this.myself;
    // As Redis, the writable delay counts from the first evaluation, not from start-up.
    if (this.firstStateUpdate === 0) this.firstStateUpdate = now;
    if (me.isMaster && !this.ok && now - this.firstStateUpdate < WRITABLE_DELAY) return;
    let ok = true;
    if (this.v.clusterRequireFullCoverage) {
      for (const n of this.table.slots) {
        if (n === null || n.has(NodeFlag.FAIL)) {
          ok = false;
          break;
        }
      }
    }
    let size = 0;
    let reachable = 0;
    for (const n of this.table.servingPrimaries()) {
      size++;
      if (!n.has(NodeFlag.FAIL | NodeFlag.PFAIL)) reachable++;
    }
    this.size = size;
    if (reachable < Math.floor(size / 2) + 1) {
      ok = false;
      this.amongMinoritySince = now;
    }
    if (ok === this.ok) return;
    const rejoinDelay = Math.min(Math.max(this.nodeTimeout, 500), 5000);
    if (ok && me.isMaster && now - this.amongMinoritySince < rejoinDelay) return;
    this.ok = ok;
    this.host.log.info({ state: ok ? 'ok' : 'fail' }, `Cluster state changed: ${ok ? 'ok' : 'fail'}`);
  }

  // ── Operations for commands ──────────────────────────────────────────────────────────

  /** clusterBumpConfigEpochWithoutConsensus: true when the epoch moved. */
  bumpEpoch(): boolean {
    const max = this.table.maxEpoch();
    const me = this.myself;
    if (me.configEpoch === 0 || me.configEpoch !== max) {
      this.table.currentEpoch++;
      me.configEpoch = this.table.currentEpoch;
      this.configChanged();
      return true;
    }
    return false;
  }

  /** CLUSTER FORGET: removes the node and keeps it out of gossip for a minute. */
  forget(node: ClusterNode): void {
    this.table.blacklist.set(node.id, Date.now() + BLACKLIST_TTL);
    this.deleteNode(node);
    this.slotsChanged();
  }

  /** CLUSTER RESET: forget everyone and every slot; HARD also takes a new id and zero epochs. */
  reset(hard: boolean): void {
    const me = this.myself;
    if (me.isReplica) this.table.setPrimary(me, null);
    for (let s = 0; s < SLOT_COUNT; s++) {
      this.table.migratingTo[s] = null;
      this.table.importingFrom[s] = null;
    }
    this.table.delNodeSlots(me);
    for (const n of [...this.table.nodes.values()]) if (n !== me) this.deleteNode(n);
    if (hard) {
      this.table.currentEpoch = 0;
      this.table.lastVoteEpoch = 0;
      me.configEpoch = 0;
      this.table.rename(me, randomNodeId());
      this.host.log.info({ id: me.id }, 'Node hard reset, now I\'m ' + me.id);
    }
    this.slotsChanged();
  }

  /**
   * CLUSTER REPLICATE: records the role (replica of `primary`) in the node table, nodes.conf
   * and the bus header. Copying the primary's data is the replication layer's job.
   */
  replicate(primary: ClusterNode): void {
    const me = this.myself;
    if (me.isMaster) {
      me.flags &= ~NodeFlag.MIGRATE_TO;
    }
    this.table.setPrimary(me, primary);
    this.slotsChanged();
    this.broadcastPong();
  }

  get endpointType(): 'ip' | 'hostname' | 'unknown-endpoint' {
    return this.v.clusterPreferredEndpointType;
  }

  get allowReadsWhenDown(): boolean {
    return this.v.clusterAllowReadsWhenDown;
  }

  get allowReplicaMigration(): boolean {
    return this.v.clusterAllowReplicaMigration;
  }

  /** This node's replication offset (CLUSTER SHARDS). */
  replOffset(): number {
    return this.host.replOffset();
  }

  /** Saves nodes.conf now (CLUSTER SAVECONFIG): null, or why the file could not be written. */
  trySaveConfig(): string | null {
    try {
      saveNodesConf(this.configFile, this.table);
    } catch (err) {
      // Redis replies with strerror(errno): "No such file or directory", not Node's message.
      return strerror(err);
    }
    // The file holds every change so far: a save still due this turn would write it again.
    this.todo &= ~Todo.SAVE_CONFIG;
    return null;
  }

  /** The node a slot belongs to, as clients are redirected there. */
  endpointOf(n: ClusterNode): string {
    const t = this.v.clusterPreferredEndpointType;
    if (t === 'ip') return n.ip;
    if (t === 'hostname') return n.hostname !== '' ? n.hostname : '?';
    return '?';
  }
}

function shuffle<T>(a: T[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
