// CONFIG GET/SET/RESETSTAT/REWRITE/HELP over the typed configuration (src/config), with
// Redis 7.0's replies and error texts. The parameter rules live in src/config; this module
// only turns requests into calls and results into replies.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { ADMIN_FLAGS, subcommand, type CommandFlag, type CommandSpec, type Handler } from './spec';
import type { SetFailure } from '../config/config';
import { Err } from '../errors';
import { F, lookupEntry } from '../config/params';
import { statusLines } from '../resp/replies';

const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

const HELP_REPLY = statusLines(HELP);

function get(c: Client, args: string[], node: NodeContext): void {
  const pairs = node.config.getMatching(args.slice(2));
  c.mapHeader(pairs.length);
  let out = '';
  for (const [name, value] of pairs) out += '$' + name.length + '\r\n' + name + '\r\n$' + value.length + '\r\n' + value + '\r\n';
  c.write(out);
}

/** islocalClient: a loopback peer (Redis also counts unix sockets, which Cinnabar has none of). */
function isLocal(c: Client): boolean {
  return c.addr.startsWith('127.') || c.addr.startsWith('[::1]:');
}

function failureMessage(f: SetFailure): string {
  switch (f.kind) {
    case 'unknown':
      return Err.unsupportedConfig(f.name);
    case 'loading':
      return Err.loading;
    case 'failed':
      return Err.configSetFailed(f.name, f.reason);
  }
}

function set(c: Client, args: string[], node: NodeContext): void {
  if (args.length % 2 !== 0) {
    c.error(Err.syntax);
    return;
  }
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < args.length; i += 2) {
    // Passwords never reach the slow log, even when the command then fails (configSetCommand).
    if (((lookupEntry(args[i])?.param.flags ?? 0) & F.SENSITIVE) !== 0) c.redact(i + 1);
    pairs.push([args[i], args[i + 1]]);
  }
  const failure = node.config.set(pairs, { localClient: isLocal(c) });
  if (failure) c.error(failureMessage(failure));
  else c.ok();
}

function resetstat(c: Client, _args: string[], node: NodeContext): void {
  node.resetStats();
  c.ok();
}

function rewrite(c: Client, _args: string[], node: NodeContext): void {
  if (node.config.configFile === null) {
    c.error(Err.noConfigFile);
    return;
  }
  const failure = node.config.rewrite();
  if (failure !== null) {
    node.log.warn({ reason: failure }, 'CONFIG REWRITE failed');
    c.error(Err.configRewriteFailed(failure));
    return;
  }
  node.log.warn('CONFIG REWRITE executed with success.');
  c.ok();
}

const ADMIN = ADMIN_FLAGS;

function sub(name: string, arity: number, flags: readonly CommandFlag[], run: Handler): CommandSpec {
  return subcommand(name, arity, flags, 'server', run);
}

export const configCommands: CommandSpec[] = [
  {
    name: 'config',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    subcommands: [
      sub('get', -3, ADMIN, get),
      sub('help', 2, ['loading', 'stale'], (c) => c.write(HELP_REPLY)),
      sub('resetstat', 2, ADMIN, resetstat),
      sub('rewrite', 2, ADMIN, rewrite),
      sub('set', -4, ADMIN, set),
    ],
  },
];
