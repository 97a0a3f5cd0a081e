/** SMPP 3.4 optional parameters (spec §5.3.2): tag, name and value type. Unknown tags are kept raw. */

/** How a TLV value is interpreted; the wire form is always raw octets. */
export type TlvType = "u8" | "u16" | "u32" | "cstr" | "bytes";

/** An optional parameter as it travels: tag plus raw value octets. */
export interface Tlv {
  /** The parameter tag (see {@link Tag}). */
  tag: number;
  /** The raw value octets. */
  value: Uint8Array;
}

/**
 * The one TLV table: name → [tag, value type] (spec §5.3.2). Tags without a fixed type are
 * "bytes"; unknown tags are kept raw.
 */
const TLVS = {
  dest_addr_subunit: [0x0005, "u8"],
  dest_network_type: [0x0006, "u8"],
  dest_bearer_type: [0x0007, "u8"],
  dest_telematics_id: [0x0008, "u16"],
  source_addr_subunit: [0x000d, "u8"],
  source_network_type: [0x000e, "u8"],
  source_bearer_type: [0x000f, "u8"],
  source_telematics_id: [0x0010, "bytes"],
  qos_time_to_live: [0x0017, "u32"],
  payload_type: [0x0019, "u8"],
  additional_status_info_text: [0x001d, "cstr"],
  receipted_message_id: [0x001e, "cstr"],
  ms_msg_wait_facilities: [0x0030, "u8"],
  privacy_indicator: [0x0201, "u8"],
  source_subaddress: [0x0202, "bytes"],
  dest_subaddress: [0x0203, "bytes"],
  user_message_reference: [0x0204, "u16"],
  user_response_code: [0x0205, "u8"],
  source_port: [0x020a, "u16"],
  destination_port: [0x020b, "u16"],
  sar_msg_ref_num: [0x020c, "u16"],
  language_indicator: [0x020d, "u8"],
  sar_total_segments: [0x020e, "u8"],
  sar_segment_seqnum: [0x020f, "u8"],
  sc_interface_version: [0x0210, "u8"],
  callback_num_pres_ind: [0x0302, "u8"],
  callback_num_atag: [0x0303, "bytes"],
  number_of_messages: [0x0304, "u8"],
  callback_num: [0x0381, "bytes"],
  dpf_result: [0x0420, "u8"],
  set_dpf: [0x0421, "u8"],
  ms_availability_status: [0x0422, "u8"],
  network_error_code: [0x0423, "bytes"],
  message_payload: [0x0424, "bytes"],
  delivery_failure_reason: [0x0425, "u8"],
  more_messages_to_send: [0x0426, "u8"],
  message_state: [0x0427, "u8"],
  ussd_service_op: [0x0501, "u8"],
  display_time: [0x1201, "u8"],
  sms_signal: [0x1203, "u16"],
  ms_validity: [0x1204, "u8"],
  alert_on_message_delivery: [0x130c, "bytes"],
  its_reply_type: [0x1380, "u8"],
  its_session_info: [0x1383, "u16"],
} as const satisfies Record<string, readonly [number, TlvType]>;

type TlvName = keyof typeof TLVS;

/** Tags by name, e.g. `Tag.message_payload === 0x0424`. */
export const Tag = Object.fromEntries(
  Object.entries(TLVS).map(([name, [tag]]) => [name, tag]),
) as { readonly [N in TlvName]: (typeof TLVS)[N][0] };

/** Value type of each known tag (from the same table); anything else is "bytes". */
export const TLV_TYPES: Readonly<Record<number, TlvType>> = Object.fromEntries(
  Object.values(TLVS).map(([tag, type]) => [tag, type]),
);

const SIZES: Partial<Record<TlvType, number>> = { u8: 1, u16: 2, u32: 4 };

/** Expected value length for a fixed-size known tag, or undefined when any length is valid. */
export function tlvFixedSize(tag: number): number | undefined {
  const type = TLV_TYPES[tag];
  return type ? SIZES[type] : undefined;
}

/** The first TLV with this tag, or undefined. */
export function findTlv(tlvs: readonly Tlv[], tag: number): Tlv | undefined {
  for (const t of tlvs) if (t.tag === tag) return t;
  return undefined;
}

/** Integer value of a u8/u16/u32 TLV, or undefined when absent. */
export function tlvInt(tlvs: readonly Tlv[], tag: number): number | undefined {
  const t = findTlv(tlvs, tag);
  if (!t) return undefined;
  let n = 0;
  for (const b of t.value) n = n * 256 + b;
  return n;
}

/** String value of a C-string TLV (trailing NUL stripped), or undefined when absent. */
export function tlvString(tlvs: readonly Tlv[], tag: number): string | undefined {
  const t = findTlv(tlvs, tag);
  if (!t) return undefined;
  const end = t.value.length > 0 && t.value[t.value.length - 1] === 0
    ? t.value.length - 1
    : t.value.length;
  // One character per octet; a loop, not a spread (which walks an iterator).
  let out = "";
  for (let i = 0; i < end; i++) out += String.fromCharCode(t.value[i]);
  return out;
}

/** Builds an integer TLV of `size` octets, big-endian. */
export function intTlv(tag: number, value: number, size = 1): Tlv {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--, value = Math.floor(value / 256)) out[i] = value & 0xff;
  return { tag, value: out };
}

/** Builds a C-string TLV (ASCII, NUL included in the length). */
export function stringTlv(tag: number, value: string): Tlv {
  const out = new Uint8Array(value.length + 1);
  for (let i = 0; i < value.length; i++) out[i] = value.charCodeAt(i) & 0xff;
  return { tag, value: out };
}
