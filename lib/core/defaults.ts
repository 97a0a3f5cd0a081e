/**
 * Every default in one place, read by the code, the config validator and the docs. Times in ms
 * unless the name says otherwise.
 */

/** The interface_version the gateway speaks; ESMEs bound below it get no TLVs. */
export const INTERFACE_VERSION = 0x34;

/** system_id the gateway presents in bind responses. */
export const SYSTEM_ID = "smppgw";

/** Where the gateway listens unless told otherwise (2775 is the IANA port for SMPP). */
export const LISTEN_DEFAULTS = { host: "127.0.0.1", port: 2775 } as const;

/** esm_class values the gateway reads or writes (SMPP 3.4 §5.2.12). */
export const ESM_CLASS = {
  /** Message type "SMSC Delivery Receipt": the esm_class of every receipt sent. */
  deliveryReceipt: 0x04,
  /** Message type "Intermediate delivery notification" (registered_delivery 0x10 asks for it). */
  intermediate: 0x20,
  /** UDHI: short_message starts with a User Data Header. */
  udhi: 0x40,
} as const;

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
  deliverWindow: 100,
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
  /** Characters of message text in the receipt's `text:` field. */
  textLength: 20,
  /** Receipts held in memory per account; the rest wait in KV. */
  memoryLimit: 10_000,
} as const;

/** How long a data_sm in transaction mode waits for its route's outcome before it is answered. */
export const TRANSACTION_TIMEOUT_MS = 10_000;

/** Jobs a route may hold in memory (waiting, retrying, in flight); more get ESME_RMSGQFUL. */
export const ROUTE_BACKLOG = 100_000;

/** Scheduled messages waiting for their time (held in memory); more get ESME_RMSGQFUL. */
export const MAX_SCHEDULED = 100_000;

/** Longest validity a message may have (a client asking more gets this); also the default. */
export const MAX_VALIDITY_MS = 72 * 3600_000;

/** How long the parts of a concatenated message may take to arrive. */
export const CONCAT_TIMEOUT_MS = 300_000;

/** Days finished history is kept. */
export const RETENTION_DAYS = 7;

/** Store lease lifetime. */
export const LEASE_MS = 10_000;

/** How long `GET /healthz` waits for its KV write before answering 503. */
export const HEALTH_TIMEOUT_MS = 1000;

/** How long shutdown waits for each unbind_resp. */
export const UNBIND_WAIT_MS = 2000;

/**
 * Open connections: 1000 in total (lowered to fit the open-file limit) and 100 per IP; of them
 * not bound yet, 200 in total and 20 per IP.
 */
export const CONNECTION_DEFAULTS = {
  maxTotal: 1000,
  maxPerIp: 100,
  maxUnbound: 200,
  maxUnboundPerIp: 20,
} as const;

/**
 * Binds waiting for another check of their system_id or IP (32 per key, 512 in total), and
 * PBKDF2 checks running (2) and waiting for a slot (64), gateway-wide.
 */
export const BIND_LIMITS = {
  maxWaitingPerKey: 32,
  maxWaiting: 512,
  maxHashing: 2,
  maxHashingWaiting: 64,
} as const;

/** Concurrent sessions per account unless the account says otherwise. */
export const MAX_SESSIONS = 5;

/** PBKDF2-SHA256 iterations for new password hashes. */
export const PBKDF2_ITERATIONS = 100_000;

/** How long the simulator route takes to settle a message. */
export const SIMULATOR_DELAY_MS = 1000;
