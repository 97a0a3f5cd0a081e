/** Every counter the gateway keeps, in one place (a metrics endpoint will read this later). */

/** Gateway-wide counters since start. */
export interface Counters {
  connections: number;
  binds: number;
  bindFailures: number;
  /** Binds whose password was actually compared (binds refused by the lockout never are). */
  passwordChecks: number;
  submitted: number;
  /** SMS parts accepted (a long message_payload counts as the parts it needs). */
  submittedParts: number;
  submitRejected: number;
  settled: number;
  receiptsQueued: number;
}

/** Fresh zeroed counters. */
export function newCounters(): Counters {
  return {
    connections: 0,
    binds: 0,
    bindFailures: 0,
    passwordChecks: 0,
    submitted: 0,
    submittedParts: 0,
    submitRejected: 0,
    settled: 0,
    receiptsQueued: 0,
  };
}
