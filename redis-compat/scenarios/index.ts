// Every differential scenario, in one list: the RESP2 scenarios, then the same scenarios again
// after HELLO 3 (named resp3/...) so RESP3 encodings are compared too.

import { asResp3, type Scenario } from '../lib/scenario';
import { binaryScenarios } from './binary';
import { clientScenarios } from './client';
import { connectionScenarios } from './connection';
import { errorScenarios } from './errors';
import { expiryScenarios } from './expiry';
import { hashScenarios } from './hashes';
import { keyScenarios } from './keys';
import { dumpScenarios } from './dump';
import { listScenarios } from './lists';
import { protocolScenarios } from './protocol';
import { serverScenarios } from './server';
import { setScenarios } from './sets';
import { stringScenarios } from './strings';
import { typeScenarios } from './types';
import { zsetScenarios } from './zsets';
import { transactionScenarios } from './transactions';
import { bitmapScenarios, bitmapWrongTypeScenarios } from './bitmaps';
import { pubsubScenarios } from './pubsub';
import { diagnosticsScenarios } from './diagnostics';

const resp2: Scenario[] = [
  ...connectionScenarios,
  ...stringScenarios,
  ...keyScenarios,
  ...dumpScenarios,
  ...expiryScenarios,
  ...errorScenarios,
  ...protocolScenarios,
  ...clientScenarios,
  ...serverScenarios,
  ...binaryScenarios,
  ...hashScenarios,
  ...setScenarios,
  ...listScenarios,
  ...typeScenarios,
  ...zsetScenarios,
  ...transactionScenarios,
  ...bitmapScenarios,
  ...bitmapWrongTypeScenarios,
  ...pubsubScenarios,
  ...diagnosticsScenarios,
];

/**
 * Scenarios for commands of capabilities still in progress: they run only with `--filter`
 * until they join the default run above (empty while every capability's scenarios pass).
 */
export const pendingScenarios: Scenario[] = [];

/** Raw protocol scenarios are about request parsing, which HELLO 3 does not change: they run once. */
export const allScenarios: Scenario[] = [
  ...resp2,
  ...asResp3(resp2.filter((s) => !s.name.startsWith('protocol/'))),
];
