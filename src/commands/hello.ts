// Connection handshake and authentication: HELLO (protocol switch, AUTH, SETNAME), AUTH and
// RESET. Cinnabar has one user, "default", whose password is `requirepass` (none when empty),
// which is exactly Redis 7.0's behaviour without ACL rules.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandSpec } from './spec';
import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { Err } from '../errors';
import { parseI64, is } from './args';
import { DEFAULT_USER, validClientName } from './client';

const CONNECTION_FLAGS = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'] as const;

/**
 * Redis's ACLAuthenticateUser for the default user: any password works when none is
 * configured ("nopass"); otherwise it must match. Compared through SHA-256 digests in
 * constant time, as Redis does, so timing does not reveal the password.
 */
export function passwordMatches(node: NodeContext, user: string, password: string): boolean {
  if (user !== DEFAULT_USER) return false;
  const required = node.config.v.requirepass;
  if (required === '') return true;
  const a = createHash('sha256').update(password, 'latin1').digest();
  const b = createHash('sha256').update(required, 'latin1').digest();
  return timingSafeEqual(a, b);
}

/** HELLO's reply: the server's identity as a map (7 pairs outside Sentinel). */
function helloReply(c: Client, node: NodeContext): void {
  c.mapHeader(7);
  c.bulk('server');
  c.bulk('redis');
  c.bulk('version');
  c.bulk(node.version);
  c.bulk('proto');
  c.int(c.resp);
  c.bulk('id');
  c.int(c.id);
  c.bulk('mode');
  c.bulk(node.cluster !== null ? 'cluster' : 'standalone');
  c.bulk('role');
  c.bulk('master');
  c.bulk('modules');
  c.arrayHeader(0);
}

export const helloCommands: CommandSpec[] = [
  {
    name: 'hello',
    arity: -1,
    flags: CONNECTION_FLAGS,
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    run(c, args, node) {
      let version = 0;
      let next = 1;
      if (args.length >= 2) {
        const v = parseI64(args[next++]);
        if (v === undefined) return c.error(Err.helloProtoNotInteger);
        if (v < 2 || v > 3) return c.error(Err.noProto);
        version = v;
      }
      let user: string | undefined;
      let password: string | undefined;
      let name: string | undefined;
      for (let j = next; j < args.length; j++) {
        const more = args.length - 1 - j;
        if (is(args[j], 'auth') && more >= 2) {
          c.redact(j + 1);
          c.redact(j + 2);
          user = args[j + 1];
          password = args[j + 2];
          j += 2;
        } else if (is(args[j], 'setname') && more >= 1) {
          name = args[j + 1];
          if (!validClientName(name)) return c.error(Err.clientNameSpaces);
          j++;
        } else {
          return c.error(Err.helloSyntax(args[j]));
        }
      }
      if (user !== undefined && password !== undefined) {
        if (!passwordMatches(node, user, password)) return c.error(Err.wrongPass);
        c.authenticated = true;
      }
      if (!c.authenticated) return c.error(Err.helloNoAuth);
      if (name !== undefined) c.name = name;
      if (version !== 0) c.resp = version as 2 | 3;
      helloReply(c, node);
    },
  },
  {
    name: 'auth',
    arity: -2,
    flags: CONNECTION_FLAGS,
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    run(c, args, node) {
      if (args.length > 3) return c.error(Err.syntax);
      c.redact(1);
      if (args.length === 3) c.redact(2);
      let user = DEFAULT_USER;
      let password: string;
      if (args.length === 2) {
        // The one-argument form is refused outright when no password is set, as Redis does,
        // because it almost always means a misconfigured client or server.
        if (node.config.v.requirepass === '') return c.error(Err.authNotConfigured);
        password = args[1];
      } else {
        user = args[1];
        password = args[2];
      }
      if (!passwordMatches(node, user, password)) return c.error(Err.wrongPass);
      c.authenticated = true;
      c.ok();
    },
  },
  {
    name: 'reset',
    arity: 1,
    flags: CONNECTION_FLAGS,
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    run(c, _args, node) {
      if (c.kind === 'replica' || c.kind === 'master') return c.error(Err.resetNotNormal);
      resetConnectionState(c, node);
      c.status('RESET');
    },
  },
];

/** Redis's clearClientConnectionState: back to a freshly connected client's state. */
function resetConnectionState(c: Client, node: NodeContext): void {
  // MULTI, pub/sub, MONITOR, tracking and READONLY clear their own state here.
  for (const hook of node.clientResetHooks) hook(c);
  if (c.kind === 'monitor') c.kind = 'normal';
  node.selectDb(c, 0);
  c.resp = 2;
  c.authenticated = node.config.v.requirepass === '';
  c.name = '';
  // REPLY OFF ends (so +RESET is seen); a pending SKIP still mutes this reply, as in Redis.
  if (c.replyOff) {
    c.replyOff = false;
    c.muted = false;
  }
  c.skipNext = false;
}
