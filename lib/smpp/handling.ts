/**
 * What the gateway does with each SMPP 3.4 PDU, as data: the one source of the README's PDU table
 * (a test keeps the two equal, and another that every command of `commands.ts` has a row).
 * A row names requests and the responses that answer them; its direction is the requests' (the
 * responses go the other way), or the PDUs' own for a row of responses only.
 *
 * ```ts
 * import { PDU_HANDLING, pduTableMarkdown } from "./handling.ts";
 * const row = PDU_HANDLING.find((r) => r.pdus.includes("query_sm"));
 * console.log(row?.direction); // "from the ESME"
 * console.log(pduTableMarkdown().split("\n")[0]); // "| PDU | direction | handling |"
 * ```
 */
import type { CommandName } from "./commands.ts";

/** Which way a row's requests (or, in a row of responses only, its PDUs) travel. */
export type Direction = "from the ESME" | "to the ESME";

/** A PDU of a row: a command, or `"unknown"` for a command_id no command has. */
export type PduName = CommandName | "unknown";

/** One row of the table. */
export interface PduHandling {
  /** Requests, then the responses that answer them. */
  readonly pdus: readonly PduName[];
  /** Which way the requests go. */
  readonly direction: Direction;
  /** What the gateway does with them (Markdown, no `|`). */
  readonly handling: string;
}

/** Every SMPP 3.4 PDU and what the gateway does with it. */
export const PDU_HANDLING: readonly PduHandling[] = [
  {
    pdus: [
      "bind_transmitter",
      "bind_receiver",
      "bind_transceiver",
      "bind_transmitter_resp",
      "bind_receiver_resp",
      "bind_transceiver_resp",
    ],
    direction: "from the ESME",
    handling:
      "authenticate, count against `maxSessions`; the response carries `system_id` and, for 0x34+ clients, `sc_interface_version` 0x34. A refused bind is answered header-only and the connection is closed (some clients treat any `bind_resp` on an open socket as bound). A bind with `interface_version` below 0x34 (3.3) gets 8-character message ids and no TLVs",
  },
  {
    pdus: ["submit_sm", "submit_sm_resp"],
    direction: "from the ESME",
    handling:
      "validated, stored in KV, **then** answered with the message id: 19 digits, or for a 3.3 bind 8 uppercase hex digits (`0000002A`, a counter mapped to the full id in KV), which its receipts carry and `query_sm`, `cancel_sm` and `replace_sm` accept. `schedule_delivery_time` holds the message until its time (across restarts); `validity_period` (capped at 72 h) makes it EXPIRED when it ends first; `replace_if_present_flag` 1 replaces the newest message of the account not yet handed to a route with the same `service_type`, `source_addr` and `destination_addr` (answered with that message's id; none: submitted as new); `sm_default_msg_id` sends a canned message; TLVs other than `message_payload`, SAR and `user_message_reference` are kept and passed to the route (unknown ones too)",
  },
  {
    pdus: ["submit_multi", "submit_multi_resp"],
    direction: "from the ESME",
    handling:
      "up to 254 destinations: SME addresses, and distribution lists of the account's `distributionLists`. One message per destination, stored in one commit, answered with one `message_id` (the first destination's; 8 characters for a 3.3 bind) and an `unsuccess_sme` entry for each refused destination (empty address or no route `0x0B`, route full `0x14`, list unknown `0x34` or none defined `0x44`); none accepted: the first refusal's status with that list. Each destination is delivered and reported on its own, its receipt carrying the multi's id and that destination as source; the session window counts every destination given (a list as one), TPS and daily quota every destination's parts. `cancel_sm` and `replace_sm` with the multi's id act on every destination still pending, `query_sm` reports the first; `replace_if_present_flag` must be 0 (`0x54`)",
  },
  {
    pdus: ["data_sm", "data_sm_resp"],
    direction: "from the ESME",
    handling:
      "handled like `submit_sm`, text in `message_payload` (missing: `0xC3`). In transaction mode (`esm_class` & 0x03 = 0x02) answered once the route has an outcome: OK when delivered or taken by a provider (or still on its way after 10 s), else `0xFE` with `delivery_failure_reason` and `network_error_code`",
  },
  {
    pdus: ["query_sm", "query_sm_resp"],
    direction: "from the ESME",
    handling:
      "answered from the store: `message_state`, `final_date`, `error_code`; unknown id, another account's message, or a `source_addr` other than the submission's: `0x67`",
  },
  {
    pdus: ["cancel_sm", "cancel_sm_resp"],
    direction: "from the ESME",
    handling:
      "by `message_id` (with the submission's `source_addr`) or every pending message of the account from `source_addr` to `destination_addr` (and `service_type`): messages not yet handed to a route (scheduled, waiting, retrying) become DELETED (receipt when asked) and are never sent; a message a route is sending right now, a final or unknown one: `0x11`",
  },
  {
    pdus: ["replace_sm", "replace_sm_resp"],
    direction: "from the ESME",
    handling:
      "replaces `short_message` (or the canned text of `sm_default_msg_id`), `registered_delivery`, `schedule_delivery_time` and `validity_period` (an empty time keeps the old one) of a message not yet handed to a route, under the same id, checked like a submit (`0x61`, `0x62`, `0x63`, `0x01`); the route gets the new content. Otherwise (unknown, another account's, final, being sent, a part of a concatenated message): `0x13`",
  },
  {
    pdus: ["enquire_link", "enquire_link_resp"],
    direction: "from the ESME",
    handling: "answered in every state, also before bind",
  },
  {
    pdus: ["unbind", "unbind_resp"],
    direction: "from the ESME",
    handling:
      "requests in flight are answered first, then `unbind_resp`; the output is flushed and the connection closed",
  },
  {
    pdus: ["outbind", "alert_notification", "deliver_sm"],
    direction: "from the ESME",
    handling:
      "SMSC-only: `generic_nack` `0x03` (`deliver_sm`: `deliver_sm_resp` `0x04`); the session goes on",
  },
  {
    pdus: [
      "bind_transmitter_resp",
      "bind_receiver_resp",
      "bind_transceiver_resp",
      "submit_sm_resp",
      "submit_multi_resp",
      "query_sm_resp",
      "cancel_sm_resp",
      "replace_sm_resp",
    ],
    direction: "from the ESME",
    handling: "SMSC-only responses: no request of the gateway matches them; dropped",
  },
  {
    pdus: ["unknown", "generic_nack"],
    direction: "from the ESME",
    handling:
      "`generic_nack` `0x03` with the same sequence number, and the session goes on (a response with an unknown id is dropped). A `command_length` under 16 or over the cap gets `generic_nack` `0x02` and the connection is closed",
  },
  {
    pdus: ["generic_nack"],
    direction: "from the ESME",
    handling:
      "answers the gateway's request with the same sequence number as an error: a receipt so answered is sent again later",
  },
  {
    pdus: ["deliver_sm", "deliver_sm_resp"],
    direction: "to the ESME",
    handling:
      'receipts (`esm_class` 0x04; intermediate notifications `esm_class` 0x20 when `registered_delivery` has 0x10) and inbound messages, to the account\'s receiver and transceiver sessions; see "Delivery receipts". A `deliver_sm_resp` of `0x65` or `0x66` drops a receipt for good (counted); other errors, timeouts and lost sessions send it again later (5 s, doubling up to 5 min)',
  },
  {
    pdus: ["data_sm", "data_sm_resp"],
    direction: "to the ESME",
    handling:
      "a receipt whose addresses are too long for `deliver_sm` (a `data_sm` submission's), text in `message_payload`, to 3.4 binds; `data_sm_resp` is handled like `deliver_sm_resp`",
  },
  {
    pdus: ["enquire_link", "enquire_link_resp"],
    direction: "to the ESME",
    handling:
      "sent to a bound session after `session.enquireLinkSec` of silence; no answer within `responseTimeoutSec` closes the session",
  },
  {
    pdus: ["unbind", "unbind_resp"],
    direction: "to the ESME",
    handling:
      "sent at shutdown, after `session.inactivitySec` of silence, and to a receiver that failed `receipts.maxReceiverFailures` receipts in a row; the connection is closed on `unbind_resp` or after `responseTimeoutSec`",
  },
];

/** A row's PDU cell: requests joined by " / ", then "→" and the responses. */
function pduCell(pdus: readonly PduName[]): string {
  const name = (p: PduName) => p === "unknown" ? "unknown `command_id`" : `\`${p}\``;
  const isAnswer = (p: PduName) => p.endsWith("_resp") || p === "generic_nack";
  const requests = pdus.filter((p) => !isAnswer(p)).map(name).join(" / ");
  const answers = pdus.filter(isAnswer).map(name).join(" / ");
  return requests && answers ? `${requests} → ${answers}` : requests || answers;
}

/** The README's PDU table, from {@link PDU_HANDLING}. */
export function pduTableMarkdown(): string {
  return [
    "| PDU | direction | handling |",
    "|---|---|---|",
    ...PDU_HANDLING.map((r) => `| ${pduCell(r.pdus)} | ${r.direction} | ${r.handling} |`),
  ].join("\n");
}
