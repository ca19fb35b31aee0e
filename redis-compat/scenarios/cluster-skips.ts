// Scenarios left out of `run.js --cluster`, and why. Everything else runs on the clusters:
// single-key and hash-tagged scenarios through MOVED/ASK; multi-key ones across slots compare
// CROSSSLOT on both sides; SELECT/MOVE/SWAPDB and the other multi-database scenarios compare
// the errors both servers give in cluster mode; KEYS/SCAN/DBSIZE/FLUSHALL see the first
// node on both sides, which holds the same slots, so they still compare. (Checked: a
// redis-server cluster against a redis-server cluster passes every scenario not listed here.)

/** Scenario names (resp3/ copies included) or name prefixes ending in '/', with the reason. */
export const CLUSTER_SKIPS: ReadonlyArray<{ name: string; reason: string }> = [
  {
    name: 'protocol/large-bulk-in-pieces',
    reason: 'one command split across steps: its tail cannot be resent to the node a MOVED names',
  },
  {
    name: 'sets/sinter-sintercard-sinterstore',
    reason:
      'its cross-slot SINTERSTOREs fail on a cluster, so set a keeps members that make it a hash table: SMEMBERS order then differs between any two processes (redis against redis too)',
  },
];

/** Why the scenario is skipped on a cluster, or null when it runs. */
export function clusterSkipReason(name: string): string | null {
  const bare = name.startsWith('resp3/') ? name.slice('resp3/'.length) : name;
  return CLUSTER_SKIPS.find((s) => (s.name.endsWith('/') ? bare.startsWith(s.name) : bare === s.name))?.reason ?? null;
}
