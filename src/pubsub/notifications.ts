// Keyspace notifications (notify.c notifyKeyspaceEvent): each event a command reports through
// Keyspace.notify() is published, when notify-keyspace-events lets its class through, as
// `__keyspace@<db>__:<key>` → event (K) and `__keyevent@<db>__:<event>` → key (E).

import type { Keyspace } from '../keyspace/keyspace';
import type { ConfigValues } from '../config/config';
import { NotifyClass } from '../keyspace/notify-types';
import type { PubSub } from './pubsub';

export function publishKeyspaceEvents(keyspace: Keyspace, config: ConfigValues, pubsub: PubSub): void {
  keyspace.onNotify((cls, event, db, key) => {
    const flags = config.notifyKeyspaceEvents;
    if ((flags & cls) === 0) return;
    if (flags & NotifyClass.Keyspace) pubsub.publish(`__keyspace@${db.id}__:${key}`, event);
    if (flags & NotifyClass.Keyevent) pubsub.publish(`__keyevent@${db.id}__:${event}`, key);
  });
}
