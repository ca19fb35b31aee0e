// Every command module, in one list: the registry builds the command table from it.

import type { CommandSpec } from './spec';
import { connectionCommands } from './connection';
import { helloCommands } from './hello';
import { clientCommands } from './client';
import { stringCommands } from './strings';
import { incrbyfloatCommands } from './incrbyfloat';
import { lcsCommands } from './lcs';
import { keyCommands } from './keys';
import { dumpCommands } from './dump';
import { expireCommands } from './expire';
import { objectCommands } from './object';
import { serverCommands } from './server-commands';
import { infoCommands } from './info';
import { commandCommands } from './command';
import { configCommands } from './config';
import { debugCommands } from './debug';
import { saveCommands } from './save';
import { hashCommands } from './hashes';
import { setCommands } from './sets';
import { listCommands } from './lists';
import { listBlockingCommands } from './list-blocking';
import { zsetCommands } from './zsets';
import { zsetBlockingCommands } from './zset-blocking';
import { transactionCommands } from './transactions';
import { bitmapCommands } from './bitmaps';
import { pubsubCommands } from './pubsub';
import { clusterCommands } from './cluster';
import { slowlogCommands } from './slowlog';
import { latencyCommands } from './latency';
import { memoryCommands } from './memory';
import { migrateCommands } from './migrate';

export function allCommandSpecs(): CommandSpec[] {
  return [
    ...connectionCommands,
    ...helloCommands,
    ...clientCommands,
    ...stringCommands,
    ...incrbyfloatCommands,
    ...lcsCommands,
    ...keyCommands,
    ...dumpCommands,
    ...expireCommands,
    ...objectCommands,
    ...serverCommands,
    ...infoCommands,
    ...commandCommands,
    ...configCommands,
    ...debugCommands,
    ...saveCommands,
    ...hashCommands,
    ...setCommands,
    ...listCommands,
    ...listBlockingCommands,
    ...zsetCommands,
    ...zsetBlockingCommands,
    ...transactionCommands,
    ...bitmapCommands,
    ...pubsubCommands,
    ...clusterCommands,
    ...slowlogCommands,
    ...latencyCommands,
    ...memoryCommands,
    ...migrateCommands,
  ];
}
