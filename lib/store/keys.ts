/** Every Deno KV key the gateway uses, in one place (read by the store, its mutations and tests). */
import { messageKey, messagePageKey } from "./pages.ts";

/** KV keys. */
export const Keys = {
  account: (systemId: string): Deno.KvKey => ["account", systemId],
  accounts: (): Deno.KvKey => ["account"],
  /** An account removed through the admin API: binds as it get 0x0D, not 0x0F. */
  removedAccount: (systemId: string): Deno.KvKey => ["account_removed", systemId],
  /** A message stored on its own (releases before message pages; tests). */
  message: (id: string): Deno.KvKey => messageKey(id),
  /** The messages of one atomic write from `first` on (see pages.ts). */
  messagePage: (first: string): Deno.KvKey => messagePageKey(first),
  messagePages: (): Deno.KvKey => ["mpage"],
  /** A message replaced (replace_sm, replace_if_present_flag) before it reached its route. */
  replaced: (id: string): Deno.KvKey => ["msgrep", id],
  /** Set once any message was replaced: until then reads need not look for replacements. */
  anyReplaced: (): Deno.KvKey => ["meta", "replaced"],
  /** The message an 8-character id (of a 3.3 bind) stands for. */
  shortId: (n: number): Deno.KvKey => ["sid", n],
  /** The short-id counter's highest value handed out (a KV `max`, so none is handed out twice). */
  shortIdFloor: (): Deno.KvKey => ["meta", "sid"],
  /** The ids of a submit_multi's destinations, by the multi's id (its first destination's). */
  multi: (id: string): Deno.KvKey => ["multi", id],
  bodyChunk: (id: string, i: number): Deno.KvKey => ["msgbody", id, i],
  bodyChunks: (id: string): Deno.KvKey => ["msgbody", id],
  state: (id: string): Deno.KvKey => ["state", id],
  /** One state for the messages from `first` to the run's last id, settled together. */
  stateRun: (first: string): Deno.KvKey => ["srun", first],
  stateRuns: (): Deno.KvKey => ["srun"],
  /** Explicit jobs (joined messages for "whole" routes, released parts); else a message is its job. */
  job: (route: string, id: string): Deno.KvKey => ["job", route, id],
  jobs: (route: string): Deno.KvKey => ["job", route],
  /** A route's progress on a job it failed before: attempts and when to try again. */
  routeJob: (id: string): Deno.KvKey => ["rjob", id],
  /** A message handed over and waiting for its receipt, by when it expires (the expiry sweep). */
  enroute: (expiresAt: number, id: string): Deno.KvKey => ["enroute", expiresAt, id],
  enroutes: (): Deno.KvKey => ["enroute"],
  /** Our message id for a provider's id (a message handed over, waiting for its receipt). */
  providerId: (route: string, providerId: string): Deno.KvKey => ["pmap", route, providerId],
  /** Every message below this id has a state: where the resume scan starts. */
  checkpoint: (route: string): Deno.KvKey => ["ckpt", route],
  /** An outbox page: receipts of one account, removed together once all are acknowledged. */
  receiptPage: (account: string, page: string): Deno.KvKey => ["dlr", account, page],
  receipts: (account: string): Deno.KvKey => ["dlr", account],
  allReceipts: (): Deno.KvKey => ["dlr"],
  /** A part waiting to be joined: by account, group, seq and id (duplicates kept apart). */
  pendingPart: (account: string, group: string, seq: number, id: string): Deno.KvKey => [
    "cpart",
    account,
    group,
    seq,
    id,
  ],
  pendingParts: (account: string, group: string): Deno.KvKey => ["cpart", account, group],
  allPendingParts: (): Deno.KvKey => ["cpart"],
  checkpoints: (): Deno.KvKey => ["ckpt"],
  joined: (account: string, id: string): Deno.KvKey => ["joined", account, id],
  /** Which joined message a part belongs to. */
  partOf: (id: string): Deno.KvKey => ["partof", id],
  quota: (account: string, day: string): Deno.KvKey => ["quota", account, day],
  idFloor: (node: number): Deno.KvKey => ["ids", node],
  /** The store lease, refreshed by the owner. */
  lease: (): Deno.KvKey => ["lease"],
  /** The store's owner; its versionstamp is the fencing token every atomic write checks. */
  owner: (): Deno.KvKey => ["owner"],
  /** Which process claimed a node id. */
  node: (node: number): Deno.KvKey => ["node", node],
  /** SHA-256 digest of the admin API token (when it was generated, not configured). */
  adminToken: (): Deno.KvKey => ["meta", "admin_token"],
  /** The store marker: which program made the store, at which schema version. */
  schema: (): Deno.KvKey => ["meta", "schema"],
  /** When the health check last wrote through the committer (ms since the epoch). */
  health: (): Deno.KvKey => ["meta", "health"],
} as const;

/**
 * Key prefixes of finished history, kept for `retentionDays` (set as the entries' `expireIn`):
 * messages with their body chunks, states, and the concatenation mappings.
 */
export const RETAINED: ReadonlySet<string> = new Set([
  "msg",
  "mpage",
  "msgrep",
  "sid",
  "multi",
  "msgbody",
  "state",
  "srun",
  "joined",
  "partof",
  "pmap",
]);
