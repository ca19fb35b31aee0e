// Text renderings of the node table that clients and files see: the CLUSTER NODES line
// format (also nodes.conf's), CLUSTER INFO's fields. Byte-compatible with Redis 7.0's
// clusterGenNodeDescription and clusterGenInfo.

import { flagsToString, NodeFlag, type ClusterNode, type NodeTable } from './node-table';
import { SLOT_COUNT } from './slot';

/** Contiguous slot ranges of a node: [start, end] pairs in slot order. */
export function slotRanges(node: ClusterNode): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = -1;
  for (let s = 0; s <= SLOT_COUNT; s++) {
    const owned = s < SLOT_COUNT && node.ownsSlot(s);
    if (owned && start < 0) start = s;
    if (!owned && start >= 0) {
      ranges.push([start, s - 1]);
      start = -1;
    }
  }
  return ranges;
}

/** "ip:port@cport[,hostname]" as CLUSTER NODES and nodes.conf write a node's address. */
export function nodeAddress(node: ClusterNode): string {
  const base = `${node.ip}:${node.port}@${node.cport}`;
  return node.hostname === '' ? base : `${base},${node.hostname}`;
}

/**
 * One CLUSTER NODES line, without the newline: id addr flags primary ping pong epoch link
 * slots, plus the [slot->-id] / [slot-<-id] markers of slots this node migrates or imports.
 * `forFile` writes myself's pong time as 0, as nodes.conf has it.
 */
export function nodeLine(table: NodeTable, node: ClusterNode, now: number, forFile: boolean): string {
  const myself = node === table.myself;
  let pong = node.pongReceived;
  if (myself) pong = forFile || table.nodes.size === 1 ? 0 : Math.floor(now / 1000) * 1000;
  const linked = myself || node.linked;
  let line =
    `${node.id} ${nodeAddress(node)} ${flagsToString(node.flags)} ` +
    `${node.replicaOf !== null ? node.replicaOf.id : '-'} ${node.pingSent} ${pong} ${node.epoch} ` +
    `${linked ? 'connected' : 'disconnected'}`;
  for (const [a, b] of slotRanges(node)) line += a === b ? ` ${a}` : ` ${a}-${b}`;
  if (myself) {
    for (let s = 0; s < SLOT_COUNT; s++) {
      const to = table.migratingTo[s];
      if (to !== null) line += ` [${s}->-${to.id}]`;
      const from = table.importingFrom[s];
      if (from !== null) line += ` [${s}-<-${from.id}]`;
    }
  }
  return line;
}

/** CLUSTER NODES: every node, one line each ending in "\n". */
export function clusterNodes(table: NodeTable, now: number): string {
  let out = '';
  for (const node of table.nodes.values()) out += nodeLine(table, node, now, false) + '\n';
  return out;
}

/** Message counters by bus type, as CLUSTER INFO prints them. */
export interface MessageStats {
  sent: number[];
  received: number[];
}

/** Redis's clusterGetMessageTypeString names, indexed by message type. */
export const MESSAGE_TYPE_NAMES: readonly string[] = [
  'ping',
  'pong',
  'meet',
  'fail',
  'publish',
  'auth-req',
  'auth-ack',
  'update',
  'mfstart',
  'module',
  'publishshard',
];

export function clusterInfo(table: NodeTable, ok: boolean, size: number, stats: MessageStats): string {
  let assigned = 0;
  let pfail = 0;
  let fail = 0;
  for (const n of table.slots) {
    if (n === null) continue;
    assigned++;
    if (n.has(NodeFlag.FAIL)) fail++;
    else if (n.has(NodeFlag.PFAIL)) pfail++;
  }
  const lines = [
    `cluster_state:${ok ? 'ok' : 'fail'}`,
    `cluster_slots_assigned:${assigned}`,
    `cluster_slots_ok:${assigned - pfail - fail}`,
    `cluster_slots_pfail:${pfail}`,
    `cluster_slots_fail:${fail}`,
    `cluster_known_nodes:${table.nodes.size}`,
    `cluster_size:${size}`,
    `cluster_current_epoch:${table.currentEpoch}`,
    `cluster_my_epoch:${table.myself.epoch}`,
  ];
  let total = 0;
  stats.sent.forEach((n, type) => {
    if (n === 0) return;
    lines.push(`cluster_stats_messages_${MESSAGE_TYPE_NAMES[type]}_sent:${n}`);
    total += n;
  });
  lines.push(`cluster_stats_messages_sent:${total}`);
  total = 0;
  stats.received.forEach((n, type) => {
    if (n === 0) return;
    lines.push(`cluster_stats_messages_${MESSAGE_TYPE_NAMES[type]}_received:${n}`);
    total += n;
  });
  lines.push(`cluster_stats_messages_received:${total}`);
  lines.push('total_cluster_links_buffer_limit_exceeded:0');
  return lines.join('\r\n') + '\r\n';
}
