/** SMPP 3.4 optional parameters (spec §5.3.2): tag, name and value type. Unknown tags are kept raw. */

/** How a TLV value is interpreted; the wire form is always raw octets. */
export type TlvType = "u8" | "u16" | "u32" | "cstr" | "bytes";

/** An optional parameter as it travels: tag plus raw value octets. */
export interface Tlv {
  tag: number;
  value: Uint8Array;
}

/** Tags by name, e.g. `Tag.message_payload === 0x0424`. */
export const Tag = {
  dest_addr_subunit: 0x0005,
  dest_network_type: 0x0006,
  dest_bearer_type: 0x0007,
  dest_telematics_id: 0x0008,
  source_addr_subunit: 0x000d,
  source_network_type: 0x000e,
  source_bearer_type: 0x000f,
  source_telematics_id: 0x0010,
  qos_time_to_live: 0x0017,
  payload_type: 0x0019,
  additional_status_info_text: 0x001d,
  receipted_message_id: 0x001e,
  ms_msg_wait_facilities: 0x0030,
  privacy_indicator: 0x0201,
  source_subaddress: 0x0202,
  dest_subaddress: 0x0203,
  user_message_reference: 0x0204,
  user_response_code: 0x0205,
  source_port: 0x020a,
  destination_port: 0x020b,
  sar_msg_ref_num: 0x020c,
  language_indicator: 0x020d,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  sc_interface_version: 0x0210,
  callback_num_pres_ind: 0x0302,
  callback_num_atag: 0x0303,
  number_of_messages: 0x0304,
  callback_num: 0x0381,
  dpf_result: 0x0420,
  set_dpf: 0x0421,
  ms_availability_status: 0x0422,
  network_error_code: 0x0423,
  message_payload: 0x0424,
  delivery_failure_reason: 0x0425,
  more_messages_to_send: 0x0426,
  message_state: 0x0427,
  ussd_service_op: 0x0501,
  display_time: 0x1201,
  sms_signal: 0x1203,
  ms_validity: 0x1204,
  alert_on_message_delivery: 0x130c,
  its_reply_type: 0x1380,
  its_session_info: 0x1383,
} as const;

/** Value type of each known tag; anything else is "bytes". */
export const TLV_TYPES: Readonly<Record<number, TlvType>> = {
  [Tag.dest_addr_subunit]: "u8",
  [Tag.dest_network_type]: "u8",
  [Tag.dest_bearer_type]: "u8",
  [Tag.dest_telematics_id]: "u16",
  [Tag.source_addr_subunit]: "u8",
  [Tag.source_network_type]: "u8",
  [Tag.source_bearer_type]: "u8",
  [Tag.qos_time_to_live]: "u32",
  [Tag.payload_type]: "u8",
  [Tag.additional_status_info_text]: "cstr",
  [Tag.receipted_message_id]: "cstr",
  [Tag.ms_msg_wait_facilities]: "u8",
  [Tag.privacy_indicator]: "u8",
  [Tag.user_message_reference]: "u16",
  [Tag.user_response_code]: "u8",
  [Tag.source_port]: "u16",
  [Tag.destination_port]: "u16",
  [Tag.sar_msg_ref_num]: "u16",
  [Tag.language_indicator]: "u8",
  [Tag.sar_total_segments]: "u8",
  [Tag.sar_segment_seqnum]: "u8",
  [Tag.sc_interface_version]: "u8",
  [Tag.callback_num_pres_ind]: "u8",
  [Tag.number_of_messages]: "u8",
  [Tag.dpf_result]: "u8",
  [Tag.set_dpf]: "u8",
  [Tag.ms_availability_status]: "u8",
  [Tag.delivery_failure_reason]: "u8",
  [Tag.more_messages_to_send]: "u8",
  [Tag.message_state]: "u8",
  [Tag.ussd_service_op]: "u8",
  [Tag.display_time]: "u8",
  [Tag.sms_signal]: "u16",
  [Tag.ms_validity]: "u8",
  [Tag.its_reply_type]: "u8",
  [Tag.its_session_info]: "u16",
};

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
  return String.fromCharCode(...t.value.subarray(0, end));
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
