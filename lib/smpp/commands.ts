/** SMPP 3.4 commands and their mandatory body layouts (spec §4), as data read by the codec. */
import { Status as S } from "./status.ts";

/** One destination of submit_multi: an SME address (flag 1) or a distribution list (flag 2). */
export interface DestAddress {
  /** 1: an SME address (`dest_addr_ton`, `dest_addr_npi`, `destination_addr`); 2: a distribution list (`dl_name`). */
  dest_flag: number;
  /** Type of number of an SME address. */
  dest_addr_ton?: number;
  /** Numbering plan indicator of an SME address. */
  dest_addr_npi?: number;
  /** The SME address. */
  destination_addr?: string;
  /** The distribution list name. */
  dl_name?: string;
}

/** One failed destination in submit_multi_resp. */
export interface UnsuccessSme {
  /** Type of number of the failed destination. */
  dest_addr_ton: number;
  /** Numbering plan indicator of the failed destination. */
  dest_addr_npi: number;
  /** The failed destination address. */
  destination_addr: string;
  /** Why it failed: a command_status value. */
  error_status_code: number;
}

/** One mandatory field of a PDU body, in wire order; `N` is its spec name. */
export type Field<N extends string = string> =
  | { readonly name: N; readonly type: "u8" | "u16" | "u32" }
  /** C-Octet String; `max` counts the NUL; `tol` extra characters are tolerated on input. */
  | {
    readonly name: N;
    readonly type: "cstr";
    readonly max: number;
    readonly err: number;
    readonly tol?: number;
  }
  /** C-Octet String of length 1 or 17 (SMPP absolute or relative time). */
  | { readonly name: N; readonly type: "time"; readonly err: number }
  /** sm_length followed by that many octets of short_message. */
  | { readonly name: "short_message"; readonly type: "sm" }
  /** submit_multi: number_of_dests followed by dest_address structures. */
  | { readonly name: "dests"; readonly type: "dests" }
  /** submit_multi_resp: no_unsuccess followed by unsuccess_sme structures. */
  | { readonly name: "unsuccess"; readonly type: "unsuccess" };

/** A command of the protocol: name, command_id, body layout, whether TLVs may follow. */
export interface CommandDef<
  N extends string = string,
  B extends readonly Field[] = readonly Field[],
> {
  /** Command name, e.g. `"submit_sm"`. */
  readonly name: N;
  /** command_id. */
  readonly id: number;
  /** Mandatory fields in wire order. */
  readonly body: B;
  /** True when optional parameters (TLVs) may follow the mandatory fields. */
  readonly tlvs: boolean;
}

const u8 = <N extends string>(name: N): { readonly name: N; readonly type: "u8" } => ({
  name,
  type: "u8",
});
const cstr = <N extends string>(
  name: N,
  max: number,
  err: number,
  tol = 0,
): { readonly name: N; readonly type: "cstr"; max: number; err: number; tol: number } => ({
  name,
  type: "cstr",
  max,
  err,
  tol,
});
const time = <N extends string>(
  name: N,
  err: number,
): { readonly name: N; readonly type: "time"; readonly err: number } => ({
  name,
  type: "time",
  err,
});
/** `<prefix>_ton`, `<prefix>_npi` and the address itself, named `name`. */
const addr = <P extends string, A extends string>(prefix: P, name: A, max: number, err: number) =>
  [u8(`${prefix}_ton`), u8(`${prefix}_npi`), cstr(name, max, err)] as const;
const src21 = addr("source_addr", "source_addr", 21, S.ESME_RINVSRCADR);
const dst21 = addr("dest_addr", "destination_addr", 21, S.ESME_RINVDSTADR);
const sm = { name: "short_message", type: "sm" } as const;
const messageId = cstr("message_id", 65, S.ESME_RINVMSGID);
const bind = [
  cstr("system_id", 16, S.ESME_RINVSYSID, 1),
  cstr("password", 9, S.ESME_RINVPASWD, 1),
  cstr("system_type", 13, S.ESME_RINVSYSTYP),
  u8("interface_version"),
  u8("addr_ton"),
  u8("addr_npi"),
  cstr("address_range", 41, S.ESME_RBINDFAIL),
] as const;
const bindResp = [cstr("system_id", 16, S.ESME_RINVSYSID, 1)] as const;
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
] as const;
const serviceType = cstr("service_type", 6, S.ESME_RINVSERTYP);
const submit = [serviceType, ...src21, ...dst21, ...submitTail] as const;

const def = <const N extends string, const B extends readonly Field[]>(
  name: N,
  id: number,
  body: B,
  tlvs = false,
): CommandDef<N, B> => ({ name, id, body, tlvs });

/** Every SMPP 3.4 command, requests and responses. */
export const COMMANDS = [
  def("generic_nack", 0x80000000, []),
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
  def("unbind", 0x00000006, []),
  def("unbind_resp", 0x80000006, []),
  def("replace_sm", 0x00000007, [
    messageId,
    ...src21,
    time("schedule_delivery_time", S.ESME_RINVSCHED),
    time("validity_period", S.ESME_RINVEXPIRY),
    u8("registered_delivery"),
    u8("sm_default_msg_id"),
    sm,
  ]),
  def("replace_sm_resp", 0x80000007, []),
  def("cancel_sm", 0x00000008, [serviceType, messageId, ...src21, ...dst21]),
  def("cancel_sm_resp", 0x80000008, []),
  def("bind_transceiver", 0x00000009, bind),
  def("bind_transceiver_resp", 0x80000009, bindResp, true),
  def("outbind", 0x0000000b, [
    cstr("system_id", 16, S.ESME_RINVSYSID, 1),
    cstr("password", 9, S.ESME_RINVPASWD, 1),
  ]),
  def("enquire_link", 0x00000015, []),
  def("enquire_link_resp", 0x80000015, []),
  def("submit_multi", 0x00000021, [
    serviceType,
    ...src21,
    { name: "dests", type: "dests" },
    ...submitTail,
  ], true),
  def("submit_multi_resp", 0x80000021, [messageId, { name: "unsuccess", type: "unsuccess" }]),
  def("alert_notification", 0x00000102, [
    ...addr("source_addr", "source_addr", 65, S.ESME_RINVSRCADR),
    ...addr("esme_addr", "esme_addr", 65, S.ESME_RINVDSTADR),
  ], true),
  def("data_sm", 0x00000103, [
    serviceType,
    ...addr("source_addr", "source_addr", 65, S.ESME_RINVSRCADR),
    ...addr("dest_addr", "destination_addr", 65, S.ESME_RINVDSTADR),
    u8("esm_class"),
    u8("registered_delivery"),
    u8("data_coding"),
  ], true),
  def("data_sm_resp", 0x80000103, [messageId], true),
] as const;

/** Name of an SMPP 3.4 command, e.g. `"submit_sm"`. */
export type CommandName = (typeof COMMANDS)[number]["name"];

/** The three bind requests. */
export type BindCommand = "bind_receiver" | "bind_transmitter" | "bind_transceiver";

/** Name of any mandatory field of any command. */
export type FieldName = (typeof COMMANDS)[number]["body"][number]["name"];

/** The decoded type of a field: integers are numbers, C-Octet Strings strings. */
export type ValueOf<F extends Field> = F extends { type: "u8" | "u16" | "u32" } ? number
  : F extends { type: "cstr" | "time" } ? string
  : F extends { type: "sm" } ? Uint8Array
  : F extends { type: "dests" } ? DestAddress[]
  : F extends { type: "unsuccess" } ? UnsuccessSme[]
  : never;

type DefOf<C extends CommandName> = Extract<(typeof COMMANDS)[number], { name: C }>;
type FieldsOf<C extends CommandName> = {
  -readonly [F in DefOf<C>["body"][number] as F["name"]]: ValueOf<F>;
};
type Flat<T> = { [K in keyof T]: T[K] };

/**
 * The mandatory fields of command `C` by their spec names, e.g. `BodyOf<"submit_sm">["esm_class"]`
 * is `number`. Fields of other commands are typed as absent, so a PDU whose command is not yet
 * narrowed still reads `body.message_id` as `string | undefined`.
 */
export type BodyOf<C extends CommandName> = C extends CommandName ? Flat<
    & FieldsOf<C>
    & { [K in Exclude<FieldName, keyof FieldsOf<C>>]?: undefined }
  >
  : never;

/** Command ids by name, e.g. `CommandId.submit_sm === 4`. */
export const CommandId: Readonly<Record<string, number>> = Object.fromEntries(
  COMMANDS.map((c) => [c.name, c.id]),
);

const byId = new Map<number, CommandDef>(COMMANDS.map((c) => [c.id, c]));

/** The command with this command_id, or undefined for an unknown or reserved id. */
export function commandById(id: number): CommandDef | undefined {
  return byId.get(id);
}

/** True when the command_id has the response bit set. */
export function isResponse(id: number): boolean {
  return id >= 0x80000000;
}
