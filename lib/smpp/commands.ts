/** SMPP 3.4 commands and their mandatory body layouts (spec §4), as data read by the codec. */
import { Status as S } from "./status.ts";

/** One mandatory field of a PDU body, in wire order. */
export type Field =
  | { name: string; type: "u8" | "u16" | "u32" }
  /** C-Octet String; `max` counts the NUL; `tol` extra characters are tolerated on input. */
  | { name: string; type: "cstr"; max: number; err: number; tol?: number }
  /** C-Octet String of length 1 or 17 (SMPP absolute or relative time). */
  | { name: string; type: "time"; err: number }
  /** sm_length followed by that many octets of short_message. */
  | { name: "short_message"; type: "sm" }
  /** submit_multi: number_of_dests followed by dest_address structures. */
  | { name: "dests"; type: "dests" }
  /** submit_multi_resp: no_unsuccess followed by unsuccess_sme structures. */
  | { name: "unsuccess"; type: "unsuccess" };

/** A command of the protocol: name, command_id, body layout, whether TLVs may follow. */
export interface CommandDef {
  readonly name: string;
  readonly id: number;
  readonly body: readonly Field[];
  readonly tlvs: boolean;
}

const u8 = (name: string): Field => ({ name, type: "u8" });
const cstr = (name: string, max: number, err: number, tol = 0): Field => ({
  name,
  type: "cstr",
  max,
  err,
  tol,
});
const time = (name: string, err: number): Field => ({ name, type: "time", err });
const addr = (prefix: string, max: number, err: number): Field[] => [
  u8(`${prefix}_ton`),
  u8(`${prefix}_npi`),
  cstr(prefix === "source_addr" || prefix === "esme_addr" ? prefix : "destination_addr", max, err),
];
const src21 = addr("source_addr", 21, S.ESME_RINVSRCADR);
const dst21 = addr("dest_addr", 21, S.ESME_RINVDSTADR);
const sm: Field = { name: "short_message", type: "sm" };
const messageId = cstr("message_id", 65, S.ESME_RINVMSGID);
const bind = [
  cstr("system_id", 16, S.ESME_RINVSYSID, 1),
  cstr("password", 9, S.ESME_RINVPASWD, 1),
  cstr("system_type", 13, S.ESME_RINVSYSTYP),
  u8("interface_version"),
  u8("addr_ton"),
  u8("addr_npi"),
  cstr("address_range", 41, S.ESME_RBINDFAIL),
];
const bindResp = [cstr("system_id", 16, S.ESME_RINVSYSID, 1)];
const submitTail = [
  u8("esm_class"),
  u8("protocol_id"),
  u8("priority_flag"),
  time("schedule_delivery_time", S.ESME_RINVSCHED),
  time("validity_period", S.ESME_RINVEXPIRY),
  u8("registered_delivery"),
  u8("replace_if_present_flag"),
  u8("data_coding"),
  u8("sm_default_msg_id"),
  sm,
];
const serviceType = cstr("service_type", 6, S.ESME_RINVSERTYP);
const submit = [serviceType, ...src21, ...dst21, ...submitTail];

const def = (name: string, id: number, body: Field[] = [], tlvs = false): CommandDef => ({
  name,
  id,
  body,
  tlvs,
});

/** Every SMPP 3.4 command, requests and responses. */
export const COMMANDS: readonly CommandDef[] = [
  def("generic_nack", 0x80000000),
  def("bind_receiver", 0x00000001, bind),
  def("bind_receiver_resp", 0x80000001, bindResp, true),
  def("bind_transmitter", 0x00000002, bind),
  def("bind_transmitter_resp", 0x80000002, bindResp, true),
  def("query_sm", 0x00000003, [messageId, ...src21]),
  def("query_sm_resp", 0x80000003, [
    messageId,
    time("final_date", S.ESME_RQUERYFAIL),
    u8("message_state"),
    u8("error_code"),
  ]),
  def("submit_sm", 0x00000004, submit, true),
  def("submit_sm_resp", 0x80000004, [messageId]),
  def("deliver_sm", 0x00000005, submit, true),
  def("deliver_sm_resp", 0x80000005, [messageId]),
  def("unbind", 0x00000006),
  def("unbind_resp", 0x80000006),
  def("replace_sm", 0x00000007, [
    messageId,
    ...src21,
    time("schedule_delivery_time", S.ESME_RINVSCHED),
    time("validity_period", S.ESME_RINVEXPIRY),
    u8("registered_delivery"),
    u8("sm_default_msg_id"),
    sm,
  ]),
  def("replace_sm_resp", 0x80000007),
  def("cancel_sm", 0x00000008, [serviceType, messageId, ...src21, ...dst21]),
  def("cancel_sm_resp", 0x80000008),
  def("bind_transceiver", 0x00000009, bind),
  def("bind_transceiver_resp", 0x80000009, bindResp, true),
  def("outbind", 0x0000000b, [
    cstr("system_id", 16, S.ESME_RINVSYSID, 1),
    cstr("password", 9, S.ESME_RINVPASWD, 1),
  ]),
  def("enquire_link", 0x00000015),
  def("enquire_link_resp", 0x80000015),
  def("submit_multi", 0x00000021, [
    serviceType,
    ...src21,
    { name: "dests", type: "dests" },
    ...submitTail,
  ], true),
  def("submit_multi_resp", 0x80000021, [messageId, { name: "unsuccess", type: "unsuccess" }]),
  def("alert_notification", 0x00000102, [
    ...addr("source_addr", 65, S.ESME_RINVSRCADR),
    ...addr("esme_addr", 65, S.ESME_RINVDSTADR),
  ], true),
  def("data_sm", 0x00000103, [
    serviceType,
    ...addr("source_addr", 65, S.ESME_RINVSRCADR),
    ...addr("dest_addr", 65, S.ESME_RINVDSTADR),
    u8("esm_class"),
    u8("registered_delivery"),
    u8("data_coding"),
  ], true),
  def("data_sm_resp", 0x80000103, [messageId], true),
];

/** Command ids by name, e.g. `CommandId.submit_sm === 4`. */
export const CommandId: Readonly<Record<string, number>> = Object.fromEntries(
  COMMANDS.map((c) => [c.name, c.id]),
);

const byId = new Map(COMMANDS.map((c) => [c.id, c]));

/** The command with this command_id, or undefined for an unknown or reserved id. */
export function commandById(id: number): CommandDef | undefined {
  return byId.get(id);
}

/** True when the command_id has the response bit set. */
export function isResponse(id: number): boolean {
  return id >= 0x80000000;
}
