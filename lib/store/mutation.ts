/** One KV write, as the group committer takes them. */
import type { MessageRecord } from "./records.ts";

/**
 * One KV write. `max` keeps the larger of the stored and the given unsigned 64-bit value.
 * `message` stores an accepted message's record (see layouts.ts): the committer packs the
 * messages of one atomic write into message pages (see pages.ts).
 */
export type Mutation =
  | { type: "set"; key: Deno.KvKey; value: unknown; expireIn?: number }
  | { type: "delete"; key: Deno.KvKey }
  | { type: "max"; key: Deno.KvKey; value: bigint }
  | { type: "message"; message: MessageRecord };

/** A write of one KV key (every mutation but `message`). */
export type KeyedMutation = Exclude<Mutation, { type: "message" }>;
