// A node's publish/subscribe state (pubsub.c): who listens to which channel, pattern and
// shard channel, the confirmations (un)subscribing replies, and delivery of published
// messages. Each client also keeps its own subscriptions (Client.subscriptions), so the
// counts in replies and CLIENT LIST come from there.

import type { Client } from '../server/client';
import type { BufferLimits } from '../config/kinds';
import { globMatch } from '../keyspace/glob';

/** What delivery needs from the node: the output limits and how to drop a client over them. */
export interface PubSubHost {
  outputBufferLimits(): BufferLimits;
  outputLimitReached(c: Client, limits: BufferLimits, nowSec: number): boolean;
  closeForOutputLimit(c: Client): void;
}

/** Channels and shard channels: the same operations over different maps and reply names. */
interface ChannelKind {
  readonly subscribe: string;
  readonly unsubscribe: string;
  readonly message: string;
  /** The client's own set of this kind. */
  own(c: Client): Set<string>;
  /** The count a confirmation reports (clientSubscriptionsCount / clientShardSubscriptionsCount). */
  count(c: Client): number;
}

const CHANNELS: ChannelKind = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  message: 'message',
  own: (c) => c.subscriptions.channels,
  count: (c) => c.subscriptions.channels.size + c.subscriptions.patterns.size,
};

const SHARD_CHANNELS: ChannelKind = {
  subscribe: 'ssubscribe',
  unsubscribe: 'sunsubscribe',
  message: 'smessage',
  own: (c) => c.subscriptions.shardChannels,
  count: (c) => c.subscriptions.shardChannels.size,
};

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

/** A confirmation: push in RESP3, array in RESP2; `name` null is the "none subscribed" reply. */
function confirm(c: Client, kind: string, name: string | null, count: number): void {
  const nil = c.resp === 3 ? '_\r\n' : '$-1\r\n';
  c.write((c.resp === 3 ? '>3\r\n' : '*3\r\n') + bulk(kind) + (name === null ? nil : bulk(name)) + ':' + count + '\r\n');
}

export class PubSub {
  /** channel → subscribers, in subscription order (Redis appends to a list). */
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  /** Clients over their output limit during a delivery, dropped once it ends (freeClientAsync). */
  private overLimit: Client[] = [];

  constructor(private readonly host: PubSubHost) {}

  // ── SUBSCRIBE / SSUBSCRIBE / UNSUBSCRIBE / SUNSUBSCRIBE ─────────────────────────────

  subscribe(c: Client, channel: string): void {
    this.subscribeGeneric(c, channel, CHANNELS, this.channels);
  }

  ssubscribe(c: Client, channel: string): void {
    this.subscribeGeneric(c, channel, SHARD_CHANNELS, this.shardChannels);
  }

  /** UNSUBSCRIBE with channels (`notify`: reply a confirmation for each). */
  unsubscribe(c: Client, channel: string, notify = true): void {
    this.unsubscribeGeneric(c, channel, CHANNELS, this.channels, notify);
  }

  sunsubscribe(c: Client, channel: string, notify = true): void {
    this.unsubscribeGeneric(c, channel, SHARD_CHANNELS, this.shardChannels, notify);
  }

  /** UNSUBSCRIBE without arguments: every channel, or one "none" confirmation. */
  unsubscribeAll(c: Client, notify = true): void {
    this.unsubscribeAllGeneric(c, CHANNELS, this.channels, notify);
  }

  sunsubscribeAll(c: Client, notify = true): void {
    this.unsubscribeAllGeneric(c, SHARD_CHANNELS, this.shardChannels, notify);
  }

  private subscribeGeneric(c: Client, channel: string, kind: ChannelKind, registry: Map<string, Set<Client>>): void {
    const own = kind.own(c);
    if (!own.has(channel)) {
      own.add(channel);
      let subs = registry.get(channel);
      if (subs === undefined) registry.set(channel, (subs = new Set()));
      subs.add(c);
    }
    confirm(c, kind.subscribe, channel, kind.count(c));
  }

  private unsubscribeGeneric(c: Client, channel: string, kind: ChannelKind, registry: Map<string, Set<Client>>, notify: boolean): void {
    if (kind.own(c).delete(channel)) {
      const subs = registry.get(channel);
      if (subs !== undefined) {
        subs.delete(c);
        if (subs.size === 0) registry.delete(channel);
      }
    }
    if (notify) confirm(c, kind.unsubscribe, channel, kind.count(c));
  }

  private unsubscribeAllGeneric(c: Client, kind: ChannelKind, registry: Map<string, Set<Client>>, notify: boolean): void {
    const own = kind.own(c);
    if (own.size === 0) {
      if (notify) confirm(c, kind.unsubscribe, null, kind.count(c));
      return;
    }
    for (const channel of [...own]) this.unsubscribeGeneric(c, channel, kind, registry, notify);
  }

  // ── PSUBSCRIBE / PUNSUBSCRIBE ───────────────────────────────────────────────────────

  psubscribe(c: Client, pattern: string): void {
    const own = c.subscriptions.patterns;
    if (!own.has(pattern)) {
      own.add(pattern);
      let subs = this.patterns.get(pattern);
      if (subs === undefined) this.patterns.set(pattern, (subs = new Set()));
      subs.add(c);
    }
    confirm(c, 'psubscribe', pattern, CHANNELS.count(c));
  }

  punsubscribe(c: Client, pattern: string, notify = true): void {
    if (c.subscriptions.patterns.delete(pattern)) {
      const subs = this.patterns.get(pattern);
      if (subs !== undefined) {
        subs.delete(c);
        if (subs.size === 0) this.patterns.delete(pattern);
      }
    }
    if (notify) confirm(c, 'punsubscribe', pattern, CHANNELS.count(c));
  }

  /** PUNSUBSCRIBE without arguments: in subscription order (Redis keeps a client's patterns in a list). */
  punsubscribeAll(c: Client, notify = true): void {
    const own = c.subscriptions.patterns;
    if (own.size === 0) {
      if (notify) confirm(c, 'punsubscribe', null, CHANNELS.count(c));
      return;
    }
    for (const pattern of [...own]) this.punsubscribe(c, pattern, notify);
  }

  /** Everything a client listens to goes, without replies (RESET, disconnect). */
  forget(c: Client): void {
    if (c.subscriptionCount === 0) return;
    this.unsubscribeAll(c, false);
    this.sunsubscribeAll(c, false);
    this.punsubscribeAll(c, false);
  }

  // ── Delivery ───────────────────────────────────────────────────────────────────────

  /** PUBLISH: to the channel's subscribers, then to every matching pattern's; returns the receivers. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    // One encoding per message; only the aggregate type byte differs between RESP2 and RESP3.
    const tail = bulk(channel) + bulk(message);
    const subs = this.channels.get(channel);
    if (subs !== undefined) {
      const body = '3\r\n$7\r\nmessage\r\n' + tail;
      for (const c of subs) {
        this.deliver(c, body);
        receivers++;
      }
    }
    if (this.patterns.size !== 0) {
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        const body = '4\r\n$8\r\npmessage\r\n' + bulk(pattern) + tail;
        for (const c of clients) {
          this.deliver(c, body);
          receivers++;
        }
      }
    }
    this.closeOverLimit();
    return receivers;
  }

  /** SPUBLISH: to the shard channel's subscribers only. */
  spublish(channel: string, message: string): number {
    const subs = this.shardChannels.get(channel);
    if (subs === undefined) return 0;
    const body = '3\r\n$8\r\nsmessage\r\n' + bulk(channel) + bulk(message);
    for (const c of subs) this.deliver(c, body);
    this.closeOverLimit();
    return subs.size;
  }

  private deliver(c: Client, body: string): void {
    if (c.closed) return;
    c.write((c.resp === 3 ? '>' : '*') + body);
    const limits = this.host.outputBufferLimits();
    if (this.host.outputLimitReached(c, limits, Math.floor(Date.now() / 1000))) this.overLimit.push(c);
  }

  private closeOverLimit(): void {
    if (this.overLimit.length === 0) return;
    const list = this.overLimit;
    this.overLimit = [];
    for (const c of list) this.host.closeForOutputLimit(c);
  }

  // ── PUBSUB introspection ───────────────────────────────────────────────────────────

  /** Subscriber count of a channel, excluding pattern subscriptions (PUBSUB NUMSUB). */
  numsub(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  shardNumsub(channel: string): number {
    return this.shardChannels.get(channel)?.size ?? 0;
  }
}
