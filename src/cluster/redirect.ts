// Which node must serve a command in cluster mode (Redis's getNodeByQuery and
// clusterRedirectClient): all keys in one slot, served here, or a redirection with Redis's
// exact text (MOVED, ASK, CROSSSLOT, TRYAGAIN, CLUSTERDOWN). The gatekeeper calls route()
// only when cluster mode is on.

import type { Client } from '../server/client';
import type { Command } from '../commands/spec';
import type { NodeContext } from '../node-context';
import { discardTransaction } from '../commands/transactions';
import { commandKeys } from '../commands/meta';
import { Err } from '../errors';
import type { Cluster } from './cluster';
import { NodeFlag, type ClusterNode } from './node-table';
import { keySlot } from './slot';

/** Per-connection cluster state: ASKING (next command only) and READONLY. */
export interface ClusterClientState {
  asking: boolean;
  readonly: boolean;
}

const states = new WeakMap<Client, ClusterClientState>();

export function clusterStateOf(c: Client): ClusterClientState {
  let s = states.get(c);
  if (s === undefined) states.set(c, (s = { asking: false, readonly: false }));
  return s;
}

/** RESET: the connection leaves READONLY and ASKING (clearClientConnectionState). */
export function forgetClusterClientState(c: Client): void {
  states.delete(c);
}

/** READONLY is in force on this connection (CLIENT LIST flag 'r'). */
export function isReadonlyClient(c: Client): boolean {
  return states.get(c)?.readonly === true;
}

/** The key positions of a command's arguments: first/last/step, or its key specs. */
function keyPositions(cmd: Command, args: readonly string[]): number[] {
  const spec = cmd.spec;
  if (spec.keys !== undefined || spec.flags.includes('movablekeys')) {
    return (commandKeys(cmd, args) ?? []).map((k) => k.pos);
  }
  if (spec.firstKey <= 0) return [];
  const last = spec.lastKey < 0 ? args.length + spec.lastKey : spec.lastKey;
  const out: number[] = [];
  for (let i = spec.firstKey; i <= last && i < args.length; i += spec.step) out.push(i);
  return out;
}

/** Commands the cluster check skips: no keys at all (and not EXEC). */
function mayHaveKeys(cmd: Command): boolean {
  return cmd.spec.firstKey > 0 || cmd.spec.keys !== undefined || cmd.spec.flags.includes('movablekeys');
}

type Outcome =
  | { kind: 'here' }
  | { kind: 'moved' | 'ask'; slot: number; node: ClusterNode }
  | { kind: 'error'; message: string };

const HERE: Outcome = { kind: 'here' };

export class Router {
  constructor(
    private readonly cluster: Cluster,
    private readonly node: NodeContext,
  ) {}

  /**
   * True when the command may run here; otherwise the client got the redirection or error
   * and the command must not run. Mirrors processCommand's cluster block.
   */
  route(c: Client, cmd: Command, args: string[]): boolean {
    const st = states.get(c);
    if ((st === undefined || !st.asking) && cmd.singleKey && args.length > cmd.spec.firstKey) {
      // The common case (GET, SET, INCR... not right after ASKING): one key in a slot this
      // node serves, not migrating or importing. READONLY matters only for other nodes' slots.
      const slot = keySlot(args[cmd.spec.firstKey]);
      const table = this.cluster.table;
      if (table.slots[slot] === table.myself && table.migratingTo[slot] === null && table.importingFrom[slot] === null && this.cluster.ok) {
        return true;
      }
    }
    const asking = st !== undefined && st.asking;
    // ASKING lasts for one command (all of a transaction's, as Redis keeps it while in MULTI).
    if (asking && cmd.fullName !== 'asking' && c.multiQueue === null) st.asking = false;
    const isExec = cmd.fullName === 'exec';
    if (!isExec && !mayHaveKeys(cmd)) return true;
    if (c.kind === 'master') return true;
    const out = this.nodeByQuery(c, cmd, args, asking, st !== undefined && st.readonly, isExec);
    if (out.kind === 'here') return true;
    cmd.rejectedCalls++;
    // As processCommand: a refused EXEC discards the transaction (the client gets the
    // redirection itself, not EXECABORT); a refused queued command dooms it.
    if (isExec) discardTransaction(c, this.node);
    else if (c.multiQueue !== null) c.multiError = true;
    if (out.kind === 'error') c.error(out.message);
    else c.error(`${out.kind === 'ask' ? 'ASK' : 'MOVED'} ${out.slot} ${this.cluster.endpointOf(out.node)}:${out.node.port}`);
    return false;
  }

  private nodeByQuery(c: Client, cmd: Command, args: string[], asking: boolean, readonly: boolean, isExec: boolean): Outcome {
    const cluster = this.cluster;
    const table = cluster.table;
    const myself = table.myself;
    let queue: Array<{ cmd: Command; args: string[] }>;
    if (isExec) {
      if (c.multiQueue === null) return HERE;
      queue = [];
      for (const q of c.multiQueue) {
        let qc = this.node.commands.lookup(q[0]);
        if (qc !== undefined && qc.subcommands !== null && q.length >= 2) qc = qc.subcommands.get(q[1].toLowerCase()) ?? qc;
        if (qc !== undefined) queue.push({ cmd: qc, args: q });
      }
    } else {
      queue = [{ cmd, args }];
    }
    let firstKey: string | null = null;
    let slot = 0;
    let n: ClusterNode | null = null;
    let migrating = false;
    let importing = false;
    let multipleKeys = false;
    let missing = 0;
    let existing = 0;
    let anyWrite = false;
    for (const q of queue) {
      if (q.cmd.isWrite) anyWrite = true;
      for (const pos of keyPositions(q.cmd, q.args)) {
        const key = q.args[pos];
        const keySlotNo = keySlot(key);
        if (firstKey === null) {
          firstKey = key;
          slot = keySlotNo;
          n = table.slots[slot];
          if (n === null) return { kind: 'error', message: Err.clusterDownUnbound };
          if (n === myself && table.migratingTo[slot] !== null) migrating = true;
          else if (table.importingFrom[slot] !== null) importing = true;
        } else if (key !== firstKey) {
          if (slot !== keySlotNo) return { kind: 'error', message: Err.crossSlot };
          multipleKeys = true;
        }
        if (migrating || importing) {
          if (c.db.has(key)) existing++;
          else missing++;
        }
      }
    }
    if (n === null) return HERE;
    if (!cluster.ok) {
      if (!cluster.allowReadsWhenDown) return { kind: 'error', message: Err.clusterDown };
      if (cmd.isWrite || (isExec && anyWrite)) return { kind: 'error', message: Err.clusterDownReadOnly };
    }
    // MIGRATE works here while the slot is migrating or importing: keys must move freely.
    if ((migrating || importing) && cmd.fullName === 'migrate') return HERE;
    // Some keys here and some gone: the caller must retry once the migration moved them all.
    if (migrating && missing > 0) {
      if (existing > 0) return { kind: 'error', message: Err.tryAgain };
      return { kind: 'ask', slot, node: table.migratingTo[slot]! };
    }
    // ASKING, or a command flagged asking (RESTORE-ASKING), runs on an importing slot.
    if (importing && (asking || cmd.spec.flags.includes('asking'))) {
      if (multipleKeys && missing > 0) return { kind: 'error', message: Err.tryAgain };
      return HERE;
    }
    const isWrite = cmd.isWrite || (isExec && anyWrite);
    // Redis also lets EVAL/EVALSHA read here as READONLY does; Cinnabar has no scripting.
    if (readonly && !isWrite && myself.has(NodeFlag.REPLICA) && myself.replicaOf === n) {
      return HERE;
    }
    if (n !== myself) return { kind: 'moved', slot, node: n };
    return HERE;
  }
}
