// nodes.conf in Redis's format: one CLUSTER NODES line per node, then
// "vars currentEpoch N lastVoteEpoch M". Written atomically (temp file, fsync, rename,
// fsync of the directory) so a crash leaves the old or the new file, never half of one;
// read back at start so a node keeps its id, epochs, slots and peers across restarts.

import { readFileSync, existsSync } from 'node:fs';
import { writeFileAtomically } from '../atomic-file';
import { ClusterNode, flagsFromString, isNodeId, NodeFlag, NodeTable } from './node-table';
import { nodeLine } from './render';
import { SLOT_COUNT } from './slot';

export function renderNodesConf(table: NodeTable, now = Date.now()): string {
  let out = '';
  for (const node of table.nodes.values()) out += nodeLine(table, node, now, true) + '\n';
  out += `vars currentEpoch ${table.currentEpoch} lastVoteEpoch ${table.lastVoteEpoch}\n`;
  return out;
}

export class NodesConfError extends Error {
  override name = 'NodesConfError';
}

function parseIntStrict(s: string, what: string): number {
  if (!/^-?\d+$/.test(s)) throw new NodesConfError(`bad ${what} '${s}'`);
  return Number(s);
}

function parseSlot(s: string): number {
  const n = parseIntStrict(s, 'slot');
  if (n < 0 || n >= SLOT_COUNT) throw new NodesConfError(`slot out of range '${s}'`);
  return n;
}

/** Parses nodes.conf text (clusterLoadConfig); throws NodesConfError on a corrupt file. */
export function parseNodesConf(text: string): NodeTable {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let table: NodeTable | null = null;
  const nodes = new Map<string, ClusterNode>();
  const primaries = new Map<ClusterNode, string>();
  const slotClaims: Array<[ClusterNode, number]> = [];
  const opens: Array<{ slot: number; kind: 'migrating' | 'importing'; id: string }> = [];
  let vars: Array<[string, string]> = [];
  const node = (id: string): ClusterNode => {
    let n = nodes.get(id);
    if (n === undefined) nodes.set(id, (n = new ClusterNode(id, 0)));
    return n;
  };
  let myself: ClusterNode | null = null;
  for (const line of lines) {
    const argv = line.trim().split(/ +/);
    if (argv[0] === 'vars') {
      for (let i = 1; i + 1 < argv.length; i += 2) vars.push([argv[i], argv[i + 1]]);
      continue;
    }
    if (argv.length < 8) throw new NodesConfError(`line with ${argv.length} fields: ${line}`);
    const [id, addr, flagText, primary, ping, pong, epoch, link] = argv;
    if (!isNodeId(id)) throw new NodesConfError(`bad node id '${id}'`);
    const n = node(id);
    n.flags = flagsFromString(flagText);
    const comma = addr.indexOf(',');
    const hostPart = comma < 0 ? addr : addr.slice(0, comma);
    n.hostname = comma < 0 ? '' : addr.slice(comma + 1);
    const at = hostPart.lastIndexOf('@');
    const colon = hostPart.lastIndexOf(':', at < 0 ? hostPart.length : at);
    if (colon < 0) throw new NodesConfError(`bad address '${addr}'`);
    n.ip = hostPart.slice(0, colon);
    n.port = parseIntStrict(hostPart.slice(colon + 1, at < 0 ? hostPart.length : at), 'port');
    n.cport = at < 0 ? n.port + 10000 : parseIntStrict(hostPart.slice(at + 1), 'bus port');
    if (n.flags & NodeFlag.MYSELF) {
      if (myself !== null) throw new NodesConfError('two nodes flagged myself');
      myself = n;
    }
    if (primary !== '-') {
      if (!isNodeId(primary)) throw new NodesConfError(`bad primary id '${primary}'`);
      primaries.set(n, primary);
    }
    // Times restart from now: a peer is not late for answering a PING this process never sent.
    parseIntStrict(ping, 'ping time');
    parseIntStrict(pong, 'pong time');
    n.pingSent = 0;
    n.pongReceived = Date.now();
    n.configEpoch = parseIntStrict(epoch, 'config epoch');
    if (link !== 'connected' && link !== 'disconnected') throw new NodesConfError(`bad link state '${link}'`);
    for (const item of argv.slice(8)) {
      const open = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/.exec(item);
      if (open !== null) {
        opens.push({ slot: parseSlot(open[1]), kind: open[2] === '>' ? 'migrating' : 'importing', id: open[3] });
        continue;
      }
      const dash = item.indexOf('-');
      const from = parseSlot(dash < 0 ? item : item.slice(0, dash));
      const to = dash < 0 ? from : parseSlot(item.slice(dash + 1));
      for (let s = from; s <= to; s++) slotClaims.push([n, s]);
    }
  }
  if (myself === null) throw new NodesConfError('no node flagged myself');
  table = new NodeTable(myself);
  for (const n of nodes.values()) table.add(n);
  for (const [n, pid] of primaries) {
    // A primary we only know by id becomes a node without address until gossip says more.
    table.setPrimary(n, table.get(pid) ?? addUnknown(table, pid));
  }
  for (const [n, s] of slotClaims) {
    table.delSlot(s);
    table.addSlot(n, s);
  }
  for (const o of opens) {
    const other = table.get(o.id) ?? addUnknown(table, o.id);
    if (o.kind === 'migrating') table.migratingTo[o.slot] = other;
    else table.importingFrom[o.slot] = other;
  }
  vars = vars.filter(([k]) => k === 'currentEpoch' || k === 'lastVoteEpoch');
  for (const [k, v] of vars) {
    if (k === 'currentEpoch') table.currentEpoch = parseIntStrict(v, 'currentEpoch');
    else table.lastVoteEpoch = parseIntStrict(v, 'lastVoteEpoch');
  }
  // As Redis: the current epoch is at least the largest config epoch of the file.
  table.currentEpoch = table.maxEpoch();
  return table;
}

function addUnknown(table: NodeTable, id: string): ClusterNode {
  const n = new ClusterNode(id, NodeFlag.MASTER | NodeFlag.NOADDR);
  table.add(n);
  return n;
}

/** Reads nodes.conf; null when the file does not exist or is empty (a new node). */
export function loadNodesConf(file: string): NodeTable | null {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'latin1');
  if (text.trim() === '') return null;
  return parseNodesConf(text);
}

/** Writes the file atomically and durably (temp file + fsync, rename, fsync of the directory). */
export function saveNodesConf(file: string, table: NodeTable): void {
  writeFileAtomically(file, renderNodesConf(table));
}
