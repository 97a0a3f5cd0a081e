/**
 * Reading PDU octets: the header, mandatory fields as the command table describes them, and TLVs.
 * Shared by the table-driven decoder (codec.ts) and the submit_sm fast path (submit_decode.ts).
 */
import { SmppError } from "./errors.ts";
import type { CommandDef, DestAddress, Field, UnsuccessSme } from "./commands.ts";
import { Status } from "./status.ts";
import { type Tlv, tlvFixedSize } from "./tlvs.ts";

/** A decoded mandatory-field value. */
export type FieldValue = string | number | Uint8Array | DestAddress[] | UnsuccessSme[];

/** The 16-octet header. */
export interface Header {
  /** command_length: the whole PDU in octets. */
  length: number;
  /** command_id. */
  commandId: number;
  /** command_status. */
  status: number;
  /** sequence_number. */
  seq: number;
}

/** Size of the PDU header. */
export const HEADER_SIZE = 16;

/** The big-endian unsigned 32-bit integer at `o`. */
export function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Reads the header of a frame of at least 16 octets. */
export function peekHeader(frame: Uint8Array): Header {
  return {
    length: u32(frame, 0),
    commandId: u32(frame, 4),
    status: u32(frame, 8),
    seq: u32(frame, 12),
  };
}

/** Octets `start`..`end` of `b` as a string, one character per octet. */
export function latin1(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** An empty short_message. */
export const EMPTY = new Uint8Array(0);

/** A field's value when a response leaves it out: 0, "" or empty. */
export function nullValue(f: Field): FieldValue {
  switch (f.type) {
    case "cstr":
    case "time":
      return "";
    case "sm":
      return EMPTY;
    case "dests":
    case "unsuccess":
      return [];
    default:
      return 0;
  }
}

/** Reads a PDU's body from just after its header up to `end` (its command_length). */
export class Reader {
  off = HEADER_SIZE;
  constructor(readonly b: Uint8Array, readonly end: number) {}

  u8(): number {
    if (this.off >= this.end) {
      throw new SmppError(Status.ESME_RINVCMDLEN, "body ends inside a field");
    }
    return this.b[this.off++];
  }
  u32(): number {
    if (this.off + 4 > this.end) {
      throw new SmppError(Status.ESME_RINVCMDLEN, "body ends inside a field");
    }
    const v = u32(this.b, this.off);
    this.off += 4;
    return v;
  }
  cstr(name: string, max: number, err: number, tol = 0): string {
    const limit = Math.min(this.end, this.off + max + tol);
    for (let i = this.off; i < limit; i++) {
      if (this.b[i] === 0) {
        const s = latin1(this.b, this.off, i);
        this.off = i + 1;
        return s;
      }
    }
    if (limit === this.end && limit < this.off + max + tol) {
      throw new SmppError(Status.ESME_RINVCMDLEN, `${name} has no terminating NUL`);
    }
    throw new SmppError(err, `${name} longer than ${max - 1} characters`);
  }
  /** An SMPP time: empty or 16 characters, else SmppError `err`. */
  time(name: string, err: number): string {
    // Most PDUs leave their times empty.
    if (this.off < this.end && this.b[this.off] === 0) {
      this.off++;
      return "";
    }
    const s = this.cstr(name, 17, err);
    if (s.length !== 0 && s.length !== 16) {
      throw new SmppError(err, `${name} must be empty or 16 characters`);
    }
    return s;
  }
  /** sm_length and short_message (copied: the frame is a view of a reused read buffer). */
  sm(): Uint8Array {
    const n = this.u8();
    if (this.off + n > this.end) {
      throw new SmppError(Status.ESME_RINVMSGLEN, `sm_length ${n} runs past the end of the PDU`);
    }
    const v = this.b.slice(this.off, this.off + n);
    this.off += n;
    return v;
  }
}

/** One mandatory field as `f` describes it; SmppError with the field's status when it is bad. */
export function readField(r: Reader, f: Field): FieldValue {
  switch (f.type) {
    case "u8":
      return r.u8();
    case "u16":
      return r.u8() * 256 + r.u8();
    case "u32":
      return r.u32();
    case "cstr":
      return r.cstr(f.name, f.max, f.err, f.tol);
    case "time":
      return r.time(f.name, f.err);
    case "sm":
      return r.sm();
    case "dests": {
      const n = r.u8();
      if (n < 1 || n > 254) throw new SmppError(Status.ESME_RINVNUMDESTS, `number_of_dests ${n}`);
      const out: DestAddress[] = [];
      for (let i = 0; i < n; i++) {
        const flag = r.u8();
        if (flag === 1) {
          out.push({
            dest_flag: 1,
            dest_addr_ton: r.u8(),
            dest_addr_npi: r.u8(),
            destination_addr: r.cstr("destination_addr", 21, Status.ESME_RINVDSTADR),
          });
        } else if (flag === 2) {
          out.push({ dest_flag: 2, dl_name: r.cstr("dl_name", 21, Status.ESME_RINVDLNAME) });
        } else throw new SmppError(Status.ESME_RINVDESTFLAG, `dest_flag ${flag}`);
      }
      return out;
    }
    case "unsuccess": {
      const n = r.u8();
      const out: UnsuccessSme[] = [];
      for (let i = 0; i < n; i++) {
        out.push({
          dest_addr_ton: r.u8(),
          dest_addr_npi: r.u8(),
          destination_addr: r.cstr("destination_addr", 21, Status.ESME_RINVDSTADR),
          error_status_code: r.u32(),
        });
      }
      return out;
    }
  }
}

/** The TLVs from the reader's offset to the end of the PDU, checked against their fixed sizes. */
export function readTlvs(r: Reader): Tlv[] {
  const tlvs: Tlv[] = [];
  while (r.off + 4 <= r.end) {
    const tag = (r.b[r.off] << 8) | r.b[r.off + 1];
    const len = (r.b[r.off + 2] << 8) | r.b[r.off + 3];
    r.off += 4;
    if (r.off + len > r.end) {
      throw new SmppError(
        Status.ESME_RINVOPTPARSTREAM,
        `TLV 0x${tag.toString(16)} runs past the end`,
      );
    }
    const size = tlvFixedSize(tag);
    if (size !== undefined && size !== len) {
      throw new SmppError(
        Status.ESME_RINVPARLEN,
        `TLV 0x${tag.toString(16)} must be ${size} octets`,
      );
    }
    tlvs.push({ tag, value: r.b.slice(r.off, r.off + len) });
    r.off += len;
  }
  if (r.off !== r.end) {
    throw new SmppError(Status.ESME_RINVOPTPARSTREAM, `${r.end - r.off} stray octets after TLVs`);
  }
  return tlvs;
}

/** A decoded PDU as an object: its command, header fields, body and TLVs (one shape for all). */
export function pduObject<B>(cmd: CommandDef, h: Header, body: B, tlvs: Tlv[]) {
  return { command: cmd.name, commandId: h.commandId, status: h.status, seq: h.seq, body, tlvs };
}
