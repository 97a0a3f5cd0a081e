/** Shapes of what the gateway stores: accounts, messages, route jobs and queued receipts. */

/** A stored password: PBKDF2-SHA256 hash with its salt and cost; never the password itself. */
export interface PasswordHash {
  alg: "pbkdf2-sha256";
  iterations: number;
  salt: string;
  hash: string;
}

/** An ESME account. */
export interface AccountRecord {
  systemId: string;
  /**
   * PBKDF2 hash of the password; absent on a config account (`source: "config"`), whose password
   * stays in the config file and is checked against it in memory.
   */
  password?: PasswordHash;
  /** "config": created from the config file, kept in step with it at every start. */
  source?: "config";
  /** Concurrent bound sessions allowed. */
  maxSessions: number;
  /** Allowed source_addr patterns (regular expressions, anchored); empty = any. */
  sourceAddrs: string[];
  /** Unanswered requests per session; more get ESME_RTHROTTLED (default from the gateway). */
  window?: number;
  /** Message parts per second (token bucket refill rate); more get ESME_RTHROTTLED. */
  tps?: number;
  /** Token bucket size: parts that may arrive at once (default: one second of `tps`). */
  burst?: number;
  /** Message parts per UTC day; more get ESME_RTHROTTLED. */
  dailyQuota?: number;
  /** Addresses (exact, or IPv4 CIDR) allowed to bind; empty or absent = any. */
  allowedIps?: string[];
  /** data_coding 0 arrives as packed septets (GSM 03.40) instead of one septet per octet. */
  gsmPacked?: boolean;
}

/** SMPP message_state values (spec §5.2.28) and their receipt `stat:` words. */
export const MessageState = {
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIVERABLE: 5,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTED: 8,
} as const;

/** Final states a route can report, by their receipt word. */
export const STAT_STATES: Readonly<Record<Stat, number>> = {
  DELIVRD: MessageState.DELIVERED,
  EXPIRED: MessageState.EXPIRED,
  DELETED: MessageState.DELETED,
  UNDELIV: MessageState.UNDELIVERABLE,
  ACCEPTD: MessageState.ACCEPTED,
  UNKNOWN: MessageState.UNKNOWN,
  REJECTD: MessageState.REJECTED,
};

/** A receipt `stat:` word. */
export type Stat =
  | "DELIVRD"
  | "EXPIRED"
  | "DELETED"
  | "UNDELIV"
  | "ACCEPTD"
  | "UNKNOWN"
  | "REJECTD";

/** An address with its TON and NPI. */
export interface Address {
  ton: number;
  npi: number;
  addr: string;
}

/** An accepted message as stored at submit time; written once, never changed. */
export interface MessageRecord {
  id: string;
  account: string;
  route: string;
  serviceType: string;
  source: Address;
  dest: Address;
  esmClass: number;
  protocolId: number;
  priority: number;
  registeredDelivery: number;
  dataCoding: number;
  /** User data octets as submitted (from short_message or message_payload, UDH included). */
  body: Uint8Array;
  /** The decoded text (without UDH); null for binary or unknown codings. */
  text: string | null;
  textKind: "text" | "binary" | "unknown";
  /** SMS parts this submission counts as (the unit of throughput limits). */
  parts: number;
  /** Set when this submission is one part of a concatenated message. */
  concat?: ConcatRef;
  /** The route gets this part only inside its joined message ("whole" routes). */
  joinLater?: boolean;
  /** Large bodies and texts are kept in separate KV entries (values are capped at 64 KiB). */
  bodyChunks?: number;
  textChunks?: number;
  /** First characters of the text, for the receipt's `text:` field. */
  preview: string;
  userMessageReference?: number;
  submitAt: number;
}

/** Where a part belongs: `group` is source|destination|reference kind|reference. */
export interface ConcatRef {
  group: string;
  ref: number;
  total: number;
  seq: number;
}

/**
 * What a route job carries: the message without its body. A job for a joined message (routes
 * in "whole" mode) has the joined text and lists its parts, each settled with its own receipt.
 */
export type JobRecord = Omit<MessageRecord, "body" | "text"> & { joinedParts?: PartRef[] };

/** One part of a joined message. */
export interface PartRef {
  id: string;
  seq: number;
  preview: string;
}

/** A concatenated message joined from its parts (or given up on after the timeout). */
export interface JoinedRecord {
  id: string;
  account: string;
  group: string;
  total: number;
  /** Parts in seq order; a missing part is null. The text is read from the parts. */
  parts: (PartRef | null)[];
  complete: boolean;
  createdAt: number;
}

/** The delivery state of a message, kept apart so the message record stays immutable. */
export interface StateRecord {
  state: number;
  doneAt: number;
  err: string;
}

/** A receipt waiting in the outbox until an RX/TRX session acknowledges it. */
export interface ReceiptRecord {
  messageId: string;
  account: string;
  /** The original message's destination, which becomes the receipt's source. */
  source: Address;
  /** The original message's source, which becomes the receipt's destination. */
  dest: Address;
  submitAt: number;
  doneAt: number;
  stat: Stat;
  err: string;
  preview: string;
  userMessageReference?: number;
  attempts: number;
  createdAt: number;
}
