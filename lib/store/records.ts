/** Shapes of what the gateway stores: accounts, messages, route jobs and queued receipts. */
import { Tag, type Tlv } from "../smpp/tlvs.ts";

/**
 * Tags a message stores in fields of its own, never in `tlvs`: message_payload (the body), the SAR
 * ones (`concat`) and user_message_reference. A route sets what it needs of them itself.
 */
export const STORED_APART: ReadonlySet<number> = new Set([
  Tag.message_payload,
  Tag.sar_msg_ref_num,
  Tag.sar_total_segments,
  Tag.sar_segment_seqnum,
  Tag.user_message_reference,
]);

/** A stored password: PBKDF2-SHA256 hash with its salt and cost; never the password itself. */
export interface PasswordHash {
  /** The hash algorithm. */
  alg: "pbkdf2-sha256";
  /** PBKDF2 iteration count. */
  iterations: number;
  /** The salt, base64. */
  salt: string;
  /** The derived key, base64. */
  hash: string;
}

/** An ESME account. */
export interface AccountRecord {
  /** The account's system_id. */
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
  /** source_addr of messages that left it empty (their receipts then go to it, not to ""). */
  defaultSource?: string;
  /**
   * How data_coding 0 is read: "gsm7" (default: GSM 03.38, one septet per octet) or "latin1"
   * (octets above 0x7F are ISO-8859-1, as some Kannel and PHP clients send).
   */
  dataCoding0?: "gsm7" | "latin1";
  /** Longest validity of this account's messages, in hours (never above the gateway's). */
  maxValidityHours?: number;
  /** Distribution lists submit_multi may name (dest_flag 2): list name → addresses. */
  distributionLists?: Record<string, string[]>;
  /** Set by the admin API: the account cannot bind (0x0D) and its sessions were closed. */
  disabled?: boolean;
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
  /** Type of number. */
  ton: number;
  /** Numbering plan indicator. */
  npi: number;
  /** The address digits or text. */
  addr: string;
}

/** An accepted message as stored at submit time; written once, never changed. */
export interface MessageRecord {
  /** The message_id given in the submit response. */
  id: string;
  /** system_id of the submitting account. */
  account: string;
  /** Name of the route the message went to. */
  route: string;
  /** service_type as submitted. */
  serviceType: string;
  /** source_addr with its TON and NPI. */
  source: Address;
  /** destination_addr with its TON and NPI. */
  dest: Address;
  /** esm_class as submitted. */
  esmClass: number;
  /** protocol_id as submitted. */
  protocolId: number;
  /** priority_flag as submitted. */
  priority: number;
  /** registered_delivery as submitted (whether a receipt is wanted). */
  registeredDelivery: number;
  /** data_coding as submitted. */
  dataCoding: number;
  /** User data octets as submitted (from short_message or message_payload, UDH included). */
  body: Uint8Array;
  /** GSM 7-bit user data arrived packed (the account's `gsmPacked`); needed to read the text. */
  packed?: boolean;
  /** SMS parts this submission counts as (the unit of throughput limits). */
  parts: number;
  /** Set when this submission is one part of a concatenated message. */
  concat?: ConcatRef;
  /** The route gets this part only inside its joined message ("whole" routes). */
  joinLater?: boolean;
  /**
   * First characters of the text, for the receipt's `text:` field; "" when the message asked for
   * no receipt (the text itself is not stored: it is read from `body` when needed).
   */
  preview: string;
  /** user_message_reference TLV, echoed in the receipt. */
  userMessageReference?: number;
  /** When the message was accepted (ms since the epoch). */
  submitAt: number;
  /**
   * When the message expires (ms since the epoch), from `validity_period` capped at the maximum;
   * absent: the gateway's maximum validity after `submitAt`.
   */
  validUntil?: number;
  /** Id of the session it was submitted on (process-local, for traces). */
  session?: number;
  /** When it may reach its route (`schedule_delivery_time`, ms since the epoch). */
  scheduleAt?: number;
  /**
   * The id the ESME was given for this message when it is not `id`: the 8-character id of a
   * 3.3 bind, or the submit_multi's id for each of its destinations. Receipts carry it.
   */
  publicId?: string;
  /**
   * Optional parameters of the submission kept for the route (source_port, callback_num,
   * unknown ones…): all but message_payload, the SAR ones and user_message_reference, which are
   * stored in their own fields.
   */
  tlvs?: Tlv[];
  /** data_coding 0 is Latin-1 for this account (`dataCoding0: "latin1"`), not GSM 7-bit. */
  latin1?: boolean;
}

/** Where a part belongs: `group` is source|destination|reference kind|reference. */
export interface ConcatRef {
  /** Parts with the same group belong to one message. */
  group: string;
  /** The concatenation reference. */
  ref: number;
  /** Total number of parts. */
  total: number;
  /** This part's number, 1-based. */
  seq: number;
}

/**
 * What a route job carries: the message. A job for a joined message (routes in "whole" mode)
 * lists its parts, each settled with its own receipt; its text is read from the parts.
 */
export type JobRecord = MessageRecord & {
  joinedParts?: PartRef[];
  /**
   * In memory only: how often the message was replaced since this process started (a copy a
   * route holds with an older revision is not sent). Copies made with a spread keep it.
   */
  rev?: number;
  /** Attempts the route made so far (set on a resumed job whose route stored a retry). */
  attempts?: number;
  /** When the route should try again (ms since the epoch; with `attempts`). */
  nextAt?: number;
  /**
   * A part that waited to be joined, sent on its own: its route sends parts now (its `concat`
   * changed since the part came, or another route took over). Stored as an explicit job until it
   * is handed over or settled.
   */
  released?: true;
};

/** One part of a joined message. */
export interface PartRef {
  /** The part's message id. */
  id: string;
  /** The part's number, 1-based. */
  seq: number;
  /** First characters of the part's text. */
  preview: string;
  /** The id the ESME knows the part by, when not `id` (see MessageRecord.publicId). */
  publicId?: string;
  /**
   * Whether the part waited for the join (MessageRecord.joinLater) rather than going to its route
   * at once; absent in parts stored before it was recorded (then the message is read).
   */
  waited?: boolean;
}

/** A concatenated message joined from its parts (or given up on after the timeout). */
export interface JoinedRecord {
  /** The joined message's id. */
  id: string;
  /** system_id of the submitting account. */
  account: string;
  /** The concatenation group (see {@link ConcatRef}). */
  group: string;
  /** Number of parts the message declared. */
  total: number;
  /** Parts in seq order; a missing part is null. The text is read from the parts. */
  parts: (PartRef | null)[];
  /** True when every part arrived; false when the join gave up after the timeout. */
  complete: boolean;
  /** Parts sent again for a number already held: settled with the message, not part of its text. */
  duplicates?: PartRef[];
  /**
   * The parts that waited went to their route each on its own (see JobRecord.released): each
   * has its own outcome, not the joined message's.
   */
  released?: true;
  /** When the joined record was written (ms since the epoch). */
  createdAt: number;
}

/** The delivery state of a message, kept apart so the message record stays immutable. */
export interface StateRecord {
  /** SMPP message_state (see {@link MessageState}). */
  state: number;
  /** When the final state was reached (ms since the epoch). */
  doneAt: number;
  /** Network or SMSC error code, three digits. */
  err: string;
}

/** A receipt waiting in the outbox until an RX/TRX session acknowledges it. */
export interface ReceiptRecord {
  /** Id of the message this receipt is for. */
  messageId: string;
  /** system_id of the account the receipt goes to. */
  account: string;
  /** The original message's destination, which becomes the receipt's source. */
  source: Address;
  /** The original message's source, which becomes the receipt's destination. */
  dest: Address;
  /** When the message was accepted (ms since the epoch). */
  submitAt: number;
  /** When the message reached its final state (ms since the epoch). */
  doneAt: number;
  /** The final state's receipt word. */
  stat: Stat;
  /** Network or SMSC error code, three digits. */
  err: string;
  /** First characters of the message text, for the receipt's `text:` field. */
  preview: string;
  /** The message's user_message_reference, echoed in the receipt. */
  userMessageReference?: number;
  /** The id the ESME knows the message by, when not `messageId` (see MessageRecord.publicId). */
  publicId?: string;
  /** deliver_sm attempts made so far. */
  attempts: number;
  /** When the receipt was queued (ms since the epoch); older than the maximum age, it is dropped. */
  createdAt: number;
  /**
   * Set on an inbound (mobile-originated) message queued in the outbox like a receipt: it goes
   * out as a plain deliver_sm with this user data (`messageId` is then the gateway's own id).
   */
  mo?: MoData;
  /**
   * An intermediate notification (registered_delivery 0x10): sent with esm_class 0x20 when the
   * route took the message, before its final receipt.
   */
  intermediate?: boolean;
}

/** The user data of one inbound message part. */
export interface MoData {
  /** data_coding of `body`. */
  dataCoding: number;
  /** esm_class (0x40 when `body` starts with a UDH). */
  esmClass: number;
  /** User data octets. */
  body: Uint8Array;
}
