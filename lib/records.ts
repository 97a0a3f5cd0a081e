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
  password: PasswordHash;
  /** Concurrent bound sessions allowed. */
  maxSessions: number;
  /** Allowed source_addr patterns (regular expressions, anchored); empty = any. */
  sourceAddrs: string[];
  /** Unanswered requests per session; more get ESME_RTHROTTLED (default from the gateway). */
  window?: number;
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
  /** User data octets (from short_message or message_payload). */
  body: Uint8Array;
  /** First characters of the text, for the receipt's `text:` field. */
  preview: string;
  userMessageReference?: number;
  submitAt: number;
}

/** What a route job carries: the message without its body (routes that need it read it). */
export type JobRecord = Omit<MessageRecord, "body">;

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
