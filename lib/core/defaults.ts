/**
 * Every default in one place, read by the code, the config validator and the docs. Times in ms
 * unless the name says otherwise.
 */

/** The interface_version the gateway speaks; ESMEs bound below it get no TLVs. */
export const INTERFACE_VERSION = 0x34;

/** system_id the gateway presents in bind responses. */
export const SYSTEM_ID = "smppgw";

/** Session timers, windows and output bounds. */
export const SESSION_DEFAULTS = {
  enquireLinkMs: 30_000,
  responseTimeoutMs: 30_000,
  bindTimeoutMs: 10_000,
  inactivityMs: 300_000,
  pduTimeoutMs: 30_000,
  /** 1 MiB of unsent output pauses reading; output stuck for 30 s closes the session. */
  maxOutputBytes: 1024 * 1024,
  drainTimeoutMs: 30_000,
  window: 100,
  deliverWindow: 10,
} as const;

/** Bind lockout: 5 failures within 60 s lock the system_id and the IP for 60 s. */
export const LOCKOUT_DEFAULTS = {
  maxFailures: 5,
  windowMs: 60_000,
  lockoutMs: 60_000,
} as const;

/** Receipt delivery: retry backoff, maximum age, receiver failures before an unbind. */
export const RECEIPT_DEFAULTS = {
  retryBaseMs: 5_000,
  retryMaxMs: 300_000,
  maxAgeMs: 72 * 3600_000,
  maxReceiverFailures: 5,
  /** Receipts held in memory per account; the rest wait in KV. */
  memoryLimit: 10_000,
} as const;

/** How long the parts of a concatenated message may take to arrive. */
export const CONCAT_TIMEOUT_MS = 300_000;

/** Days finished history is kept. */
export const RETENTION_DAYS = 7;

/** Store lease lifetime. */
export const LEASE_MS = 10_000;

/** How long shutdown waits for each unbind_resp. */
export const UNBIND_WAIT_MS = 2000;
