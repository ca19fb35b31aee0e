// The shape of one entry of the generated Redis 7.0 command metadata (redis-commands.ts).

import type { RespTree } from './resp-tree';

export interface RedisCommandMeta {
  /** As Redis 7.0's COMMAND INFO reports them; Cinnabar's own spec must agree (unit test). */
  readonly arity: number;
  readonly flags: { readonly '~': readonly { readonly '+': string }[] };
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  /** "@read", "@string", ... as simple strings in a set. */
  readonly aclCategories: RespTree;
  /** Command tips ("nondeterministic_output", "request_policy:all_shards"). */
  readonly tips: RespTree;
  /** Key specifications: a set of maps (flags, begin_search, find_keys[, notes]). */
  readonly keySpecs: RespTree;
  /** Full names of Redis's subcommands ("client|list"), sorted. */
  readonly subcommands: readonly string[];
  /** The COMMAND DOCS map without its "subcommands" field (built from what is registered). */
  readonly docs: RespTree;
}
