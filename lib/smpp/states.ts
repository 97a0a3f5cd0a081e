/**
 * Session rules as data (spec §2.3, SMPP34.md §7.2): which incoming PDU is processed in which
 * state. The session code, the README table and the tests all read this one table.
 */
import { Status } from "./status.ts";

/** Session states, server view. */
export type SessionState = "OPEN" | "BOUND_TX" | "BOUND_RX" | "BOUND_TRX" | "UNBOUND" | "CLOSED";

const ANY: readonly SessionState[] = ["OPEN", "BOUND_TX", "BOUND_RX", "BOUND_TRX", "UNBOUND"];
const BOUND: readonly SessionState[] = ["BOUND_TX", "BOUND_RX", "BOUND_TRX"];
const TX: readonly SessionState[] = ["BOUND_TX", "BOUND_TRX"];
const RX: readonly SessionState[] = ["BOUND_RX", "BOUND_TRX", "UNBOUND"];

/** Incoming PDUs (from the ESME) and the states in which the gateway processes them. */
export const INCOMING: Readonly<Record<string, readonly SessionState[]>> = {
  bind_transmitter: ["OPEN"],
  bind_receiver: ["OPEN"],
  bind_transceiver: ["OPEN"],
  submit_sm: TX,
  submit_multi: TX,
  data_sm: TX,
  query_sm: TX,
  cancel_sm: TX,
  replace_sm: TX,
  enquire_link: ANY,
  unbind: BOUND,
  // Responses to the gateway's own requests; UNBOUND still accepts them while closing.
  deliver_sm_resp: RX,
  data_sm_resp: RX,
  enquire_link_resp: ANY,
  unbind_resp: ANY,
  generic_nack: ANY,
  // SMSC-only PDUs: never accepted from an ESME.
  outbind: [],
  alert_notification: [],
  bind_transmitter_resp: [],
  bind_receiver_resp: [],
  bind_transceiver_resp: [],
  submit_sm_resp: [],
  submit_multi_resp: [],
  query_sm_resp: [],
  cancel_sm_resp: [],
  replace_sm_resp: [],
  deliver_sm: [],
};

/** True when `command` may be processed in `state`. */
export function isAllowed(command: string, state: SessionState): boolean {
  return INCOMING[command]?.includes(state) ?? false;
}

/** Status for a request refused in `state`: a bind on a bound session is "already bound". */
export function refusal(command: string, state: SessionState): number {
  if (command.startsWith("bind_") && state !== "OPEN") return Status.ESME_RALYBND;
  return Status.ESME_RINVBNDSTS;
}

/** The bound state a successful bind of this command enters. */
export const BIND_STATE: Readonly<Record<string, SessionState>> = {
  bind_transmitter: "BOUND_TX",
  bind_receiver: "BOUND_RX",
  bind_transceiver: "BOUND_TRX",
};

/** True for states in which the session may receive deliver_sm (receipts). */
export function canReceive(state: SessionState): boolean {
  return state === "BOUND_RX" || state === "BOUND_TRX";
}

function cell(cmd: string, s: SessionState, allowed: readonly SessionState[]): string {
  if (allowed.includes(s)) return "✓";
  // Responses are never answered: one in the wrong state is dropped.
  if (cmd.endsWith("_resp") || cmd === "generic_nack") return "dropped";
  return `0x${refusal(cmd, s).toString(16).padStart(2, "0")}`;
}

/** The INCOMING table as Markdown (the README embeds it; a test keeps the two equal). */
export function stateTableMarkdown(): string {
  const states: SessionState[] = ["OPEN", "BOUND_TX", "BOUND_RX", "BOUND_TRX", "UNBOUND"];
  const rows = Object.entries(INCOMING).filter(([, allowed]) => allowed.length > 0).map((
    [cmd, allowed],
  ) => `| ${cmd} | ${states.map((s) => cell(cmd, s, allowed)).join(" | ")} |`);
  return [
    `| PDU from the ESME | ${states.join(" | ")} |`,
    `|---|${states.map(() => "---").join("|")}|`,
    ...rows,
  ].join(
    "\n",
  );
}
