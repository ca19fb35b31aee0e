// Every differential scenario, in one list: the RESP2 scenarios, then the same scenarios again
// after HELLO 3 (named resp3/...) so RESP3 encodings are compared too.

import { asResp3, type Scenario } from '../lib/scenario';
import { binaryScenarios } from './binary';
import { clientScenarios } from './client';
import { connectionScenarios } from './connection';
import { errorScenarios } from './errors';
import { expiryScenarios } from './expiry';
import { keyScenarios } from './keys';
import { protocolScenarios } from './protocol';
import { serverScenarios } from './server';
import { stringScenarios } from './strings';
import { typeScenarios } from './types';
import { pubsubScenarios } from './pubsub';

const resp2: Scenario[] = [
  ...connectionScenarios,
  ...stringScenarios,
  ...keyScenarios,
  ...expiryScenarios,
  ...errorScenarios,
  ...protocolScenarios,
  ...clientScenarios,
  ...serverScenarios,
  ...binaryScenarios,
  ...pubsubScenarios,
];

/**
 * Scenarios for commands of later capabilities (lists, hashes, ... — the data types issue):
 * run with `--filter types/` while that work is in progress; they join the default run when
 * the data types land.
 */
export const pendingScenarios: Scenario[] = [...typeScenarios];

/** Raw protocol scenarios are about request parsing, which HELLO 3 does not change: they run once. */
export const allScenarios: Scenario[] = [
  ...resp2,
  ...asResp3(resp2.filter((s) => !s.name.startsWith('protocol/'))),
];
