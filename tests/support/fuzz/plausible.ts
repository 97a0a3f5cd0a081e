/**
 * Plausible traffic for the fuzzer: well-formed submit_sm/data_sm with real text in GSM, IA5,
 * Latin-1 or UCS2, split into concatenated parts (UDH or SAR), sometimes shuffled, repeated or
 * incomplete. It drives the gateway's text decoding, concatenation and storage, not its parser.
 */
import { encode } from "../../../lib/smpp/codec.ts";
import { Status } from "../../../lib/smpp/status.ts";
import { Tag, type Tlv } from "../../../lib/smpp/tlvs.ts";
import { encodeText, type PreferredCoding } from "../../../lib/text/coding.ts";
import { buildUdh } from "../../../lib/text/concat.ts";
import { splitEncoded } from "../../../lib/text/parts.ts";
import type { Expected } from "./cases.ts";
import type { Rng } from "../rng.ts";

const ALPHABETS = [
  "Hello world, how are you? 0123456789 ",
  "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà",
  "€[]{}\\^~|",
  "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ",
  "Привет мир ",
  "你好世界",
  "😀🎉👍",
];

function text(rng: Rng, max: number): string {
  const alphabet = [...rng.pick(ALPHABETS) + ALPHABETS[0]];
  let s = "";
  for (let i = rng.int(1, max); i > 0; i--) s += rng.pick(alphabet);
  return s;
}

function u16(tag: number, v: number): Tlv {
  return { tag, value: Uint8Array.of(v >> 8, v & 0xff) };
}

/**
 * Encoded PDUs for one plausible message (1 to 4 PDUs). `expect` gets ESME_ROK for the
 * single-part messages, which the gateway must accept.
 */
export function plausibleMessage(rng: Rng, seq: () => number, expect: Expected[]): Uint8Array[] {
  const preferred = rng.pick<PreferredCoding>(["gsm", "gsm", "ucs2", "latin1", "ascii"]);
  const { dcs, bytes } = encodeText(text(rng, rng.chance(0.7) ? 60 : 400), preferred);
  const parts = splitEncoded(dcs, bytes);
  const dataSm = rng.chance(0.15);
  const payload = dataSm || parts.length > 4 || rng.chance(0.1);
  const ref = rng.int(0, 0xffff);
  const useSar = rng.chance(0.3);
  let order = payload ? [0] : parts.map((_, i) => i);
  if (order.length > 1 && rng.chance(0.3)) order = order.toReversed();
  if (order.length > 1 && rng.chance(0.15)) order = order.slice(1);
  if (order.length > 1 && rng.chance(0.1)) order.push(order[0]);
  const base = {
    source_addr: rng.pick(["Acme", "447700900001", rng.str(rng.int(1, 11))]),
    source_addr_ton: 5,
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: `4477009${rng.str(5, "0123456789")}`,
    registered_delivery: rng.pick([0, 1, 2]),
    data_coding: dcs,
  };
  return order.map((i) => {
    const s = seq();
    const single = payload || parts.length === 1;
    const multi = !single;
    const tlvs: Tlv[] = [];
    let sm = payload ? new Uint8Array(0) : parts[i];
    let esm = 0;
    if (payload) tlvs.push({ tag: Tag.message_payload, value: bytes });
    else if (multi && useSar) {
      tlvs.push(u16(Tag.sar_msg_ref_num, ref));
      tlvs.push({ tag: Tag.sar_total_segments, value: Uint8Array.of(parts.length) });
      tlvs.push({ tag: Tag.sar_segment_seqnum, value: Uint8Array.of(i + 1) });
    } else if (multi) {
      const udh = buildUdh(ref, parts.length, i + 1, rng.chance(0.5) ? 8 : 16);
      sm = new Uint8Array([...udh, ...sm]);
      esm = 0x40;
    }
    if (single) {
      expect.push({ seq: s, commandId: dataSm ? 0x80000103 : 0x80000004, status: Status.ESME_ROK });
    }
    if (dataSm) {
      return encode({ command: "data_sm", seq: s, body: { ...base, esm_class: 0 }, tlvs });
    }
    const body = { ...base, esm_class: esm, short_message: sm };
    return encode({ command: "submit_sm", seq: s, body, tlvs });
  });
}
