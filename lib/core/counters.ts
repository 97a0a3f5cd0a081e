/**
 * Every counter the gateway keeps, in one registry: the table below names each counter and says
 * what it counts (a metrics endpoint and the docs read it). Each part gets the same `Counters`
 * object injected and adds to its own fields.
 *
 * ```ts
 * const c = newCounters();
 * c.submitted++;
 * for (const [name, help] of Object.entries(COUNTERS)) console.log(name, help, c[name as CounterName]);
 * ```
 */

/** Counter name → what it counts (since start). */
export const COUNTERS = {
  connections: "connections accepted",
  binds: "successful binds",
  bindFailures: "refused binds",
  passwordChecks: "binds whose password was actually compared (lockout refusals never are)",
  submitted: "submit_sm / data_sm accepted and stored",
  submittedParts: "SMS parts accepted (a long message_payload counts the parts it needs)",
  submitRejected: "submit_sm / data_sm refused",
  settled: "messages given a final state by their route",
  receiptsQueued: "receipts stored in the outbox",
  receiptsSent: "deliver_sm receipts sent (resends included)",
  receiptsAcked: "receipts acknowledged with deliver_sm_resp OK",
  receiptsRetried: "receipts sent again after an error or timeout",
  receiptsExpired: "receipts dropped unacknowledged after their maximum age",
  receiptsRefused: "receipts dropped after a permanent deliver_sm_resp error (0x65, 0x66)",
  receiversUnbound: "receiver sessions unbound after failing receipts in a row",
  kvCommits: "KV atomic commits (group commit batches)",
  kvMutations: "KV mutations written in group commits",
  kvBytes:
    "bytes of keys and values written in group commits (byte values exact, others estimated)",
  joined: "concatenated messages joined complete",
  joinedIncomplete: "concatenated messages given up on with parts missing",
  duplicateParts: "concatenation parts that arrived twice",
} as const;

/** The name of a counter. */
export type CounterName = keyof typeof COUNTERS;

/** Every counter's value since start. */
export type Counters = Record<CounterName, number>;

/** Fresh zeroed counters. */
export function newCounters(): Counters {
  return Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, 0])) as Counters;
}
