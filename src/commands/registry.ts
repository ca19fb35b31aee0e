// Builds the command table from every command module's declarations. Lookup by the name
// as sent is tried first (both all-lower and all-upper spellings are registered), then
// lowercased.

import type { Command, CommandSpec } from './spec';
import { allCommandSpecs } from './all';

function build(spec: CommandSpec, parent: Command | null): Command {
  const cmd: Command = {
    spec,
    fullName: parent ? `${parent.fullName}|${spec.name}` : spec.name,
    parent,
    subcommands: null,
    isWrite: spec.flags.includes('write'),
    isDenyOom: spec.flags.includes('denyoom'),
    allowedWhileLoading: spec.flags.includes('loading'),
    noAuth: spec.flags.includes('no_auth'),
    isFast: spec.flags.includes('fast'),
    skipSlowlog: spec.flags.includes('skip_slowlog'),
    singleKey: spec.keys === undefined && !spec.flags.includes('movablekeys') && spec.firstKey > 0 && spec.lastKey === spec.firstKey,
    calls: 0,
    sampledUsec: 0,
    sampledCalls: 0,
    rejectedCalls: 0,
    failedCalls: 0,
  };
  if (spec.subcommands) {
    const subs = new Map<string, Command>();
    for (const s of spec.subcommands) subs.set(s.name, build(s, cmd));
    (cmd as { subcommands: Map<string, Command> | null }).subcommands = subs;
  }
  return cmd;
}

export class CommandTable {
  private readonly byName = new Map<string, Command>();
  /** Top-level commands, one entry each (COMMAND, COMMAND COUNT, INFO commandstats). */
  readonly all: Command[] = [];

  constructor(specs: readonly CommandSpec[] = allCommandSpecs()) {
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
      const cmd = build(spec, null);
      this.all.push(cmd);
      this.byName.set(spec.name, cmd);
      this.byName.set(spec.name.toUpperCase(), cmd);
    }
  }

  lookup(name: string): Command | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** Every command and subcommand (INFO commandstats, COMMAND LIST). */
  *everyCommand(): Iterable<Command> {
    for (const c of this.all) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }
}
