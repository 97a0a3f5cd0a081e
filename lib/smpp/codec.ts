/** Pure SMPP 3.4 codec: bytes ⇄ PDU objects, driven by the command and TLV tables. */
import { outgoingBytes } from "./slab.ts";
import { SmppError } from "./errors.ts";
import {
  type BodyOf,
  commandById,
  type CommandDef,
  CommandId,
  type CommandName,
  type DestAddress,
  type Field,
  isResponse,
  type UnsuccessSme,
} from "./commands.ts";
import { Status } from "./status.ts";
import type { Tlv } from "./tlvs.ts";
import {
  EMPTY,
  type FieldValue,
  type Header,
  HEADER_SIZE,
  nullValue,
  pduObject,
  peekHeader,
  Reader,
  readField,
  readTlvs,
} from "./reader.ts";
import { decodeSubmitBody, hasFastPath } from "./submit_decode.ts";

export type { DestAddress, UnsuccessSme } from "./commands.ts";
export { type FieldValue, type Header, HEADER_SIZE, peekHeader } from "./reader.ts";

/** Mandatory fields by their spec names, untyped (see {@link BodyOf} for the typed form). */
export type Body = Record<string, FieldValue>;

/** A decoded PDU of command `C`: header, typed mandatory fields and TLVs. */
export interface PduOf<C extends CommandName> {
  /** Command name, e.g. `"submit_sm"`. */
  command: C;
  /** command_id from the header. */
  commandId: number;
  /** command_status from the header. */
  status: number;
  /** sequence_number from the header. */
  seq: number;
  /** Mandatory fields by their spec names. */
  body: BodyOf<C>;
  /** Optional parameters in wire order. */
  tlvs: Tlv[];
}

/**
 * A decoded PDU: header, mandatory fields and TLVs (unknown tags kept as they came). A union
 * discriminated by `command`: after `switch (pdu.command)` or `pdu.command === "submit_sm"` the
 * body fields have their types. `Pdu<"submit_sm" | "data_sm">` is either of those two.
 */
export type Pdu<C extends CommandName = CommandName> = { [K in C]: PduOf<K> }[C];

/** What `encode` needs: missing fields take their null value (0, "" or empty). */
export interface PduInit {
  /** Command name, e.g. `"submit_sm"`; an unknown name makes `encode` throw TypeError. */
  command: string;
  /** sequence_number. */
  seq: number;
  /** command_status, 0 when absent. */
  status?: number;
  /** With a non-zero status on a response: send the body and TLVs anyway (else header-only). */
  errorBody?: boolean;
  /** Mandatory fields by their spec names; missing ones take their null value. */
  body?: Record<string, FieldValue | undefined>;
  /** Optional parameters, written in this order. */
  tlvs?: readonly Tlv[];
}

/**
 * Decodes one whole frame (as cut by the frame reader). Throws SmppError with the status to
 * answer: ESME_RINVCMDLEN when command_length is under 16 or exceeds the frame (a truncated PDU),
 * ESME_RINVCMDID for an unknown command, a field-specific status for a bad body. Octets after
 * command_length are not part of the PDU and are ignored.
 */
export function decode(frame: Uint8Array): Pdu {
  return decodeWith(frame, true);
}

/**
 * {@link decode} by the command table alone, without the submit_sm fast path: the reference the
 * fast path is tested against.
 */
export function decodeByTable(frame: Uint8Array): Pdu {
  return decodeWith(frame, false);
}

function decodeWith(frame: Uint8Array, fast: boolean): Pdu {
  if (frame.length < HEADER_SIZE) {
    throw new SmppError(Status.ESME_RINVCMDLEN, `frame of ${frame.length} octets has no header`);
  }
  const h = peekHeader(frame);
  if (h.length < HEADER_SIZE || h.length > frame.length) {
    throw new SmppError(
      Status.ESME_RINVCMDLEN,
      `command_length ${h.length} does not match a frame of ${frame.length} octets`,
    );
  }
  const cmd = commandById(h.commandId);
  if (!cmd) {
    throw new SmppError(Status.ESME_RINVCMDID, `unknown command_id 0x${h.commandId.toString(16)}`);
  }
  // The fast path reads the same layout from the same table.
  if (fast && hasFastPath(h.commandId)) return decodeSubmitBody(frame, h, cmd) as Pdu;
  const end = h.length;
  const r = new Reader(frame, end);
  const lenient = isResponse(h.commandId);
  const body: Body = {};
  for (const f of cmd.body) {
    // Error responses may come without a body (spec) or with a partial one (many SMSCs).
    body[f.name] = lenient && r.off >= end ? nullValue(f) : readField(r, f);
  }
  // The table drove the fields, so the body has the shape BodyOf<cmd.name> describes.
  return pduObject(cmd, h, body, cmd.tlvs ? readTlvs(r) : []) as Pdu;
}

function fieldSize(f: Field, v: FieldValue | undefined): number {
  switch (f.type) {
    case "u8":
      return 1;
    case "u16":
      return 2;
    case "u32":
      return 4;
    case "cstr":
    case "time":
      return ((v as string | undefined) ?? "").length + 1;
    case "sm":
      return 1 + ((v as Uint8Array | undefined)?.length ?? 0);
    case "dests": {
      let n = 1;
      for (const d of (v as DestAddress[] | undefined) ?? []) {
        n += d.dest_flag === 2
          ? 2 + (d.dl_name ?? "").length
          : 4 + (d.destination_addr ?? "").length;
      }
      return n;
    }
    case "unsuccess": {
      let n = 1;
      for (const u of (v as UnsuccessSme[] | undefined) ?? []) n += 7 + u.destination_addr.length;
      return n;
    }
  }
}

function tooLong(what: string, n: number, max: number): never {
  throw new RangeError(`${what} of ${n} does not fit (max ${max})`);
}

class Writer {
  off = 0;
  constructor(readonly b: Uint8Array) {}
  u8(v: number) {
    this.b[this.off++] = v;
  }
  u16(v: number) {
    this.b[this.off++] = v >>> 8;
    this.b[this.off++] = v;
  }
  u32(v: number) {
    this.b[this.off++] = v >>> 24;
    this.b[this.off++] = v >>> 16;
    this.b[this.off++] = v >>> 8;
    this.b[this.off++] = v;
  }
  cstr(s: string) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // A NUL would end the field early and shift every later field.
      if (c === 0) throw new RangeError(`C-Octet String ${JSON.stringify(s)} contains NUL`);
      this.b[this.off++] = c;
    }
    this.b[this.off++] = 0;
  }
  bytes(v: Uint8Array) {
    this.b.set(v, this.off);
    this.off += v.length;
  }
}

function writeField(w: Writer, f: Field, v: FieldValue | undefined) {
  switch (f.type) {
    case "u8":
      return w.u8((v as number | undefined) ?? 0);
    case "u16":
      return w.u16((v as number | undefined) ?? 0);
    case "u32":
      return w.u32((v as number | undefined) ?? 0);
    case "cstr":
    case "time":
      return w.cstr((v as string | undefined) ?? "");
    case "sm": {
      const sm = (v as Uint8Array | undefined) ?? EMPTY;
      if (sm.length > 255) tooLong("short_message", sm.length, 255);
      w.u8(sm.length);
      return w.bytes(sm);
    }
    case "dests": {
      const ds = (v as DestAddress[] | undefined) ?? [];
      if (ds.length > 255) tooLong("number_of_dests", ds.length, 255);
      w.u8(ds.length);
      for (const d of ds) {
        w.u8(d.dest_flag);
        if (d.dest_flag === 2) w.cstr(d.dl_name ?? "");
        else {
          w.u8(d.dest_addr_ton ?? 0);
          w.u8(d.dest_addr_npi ?? 0);
          w.cstr(d.destination_addr ?? "");
        }
      }
      return;
    }
    case "unsuccess": {
      const us = (v as UnsuccessSme[] | undefined) ?? [];
      if (us.length > 255) tooLong("no_unsuccess", us.length, 255);
      w.u8(us.length);
      for (const u of us) {
        w.u8(u.dest_addr_ton);
        w.u8(u.dest_addr_npi);
        w.cstr(u.destination_addr);
        w.u32(u.error_status_code);
      }
    }
  }
}

function commandByName(name: string): CommandDef {
  const id = CommandId[name];
  const cmd = id === undefined ? undefined : commandById(id);
  if (!cmd) throw new TypeError(`unknown command ${name}`);
  return cmd;
}

/**
 * Encodes a PDU. A response with a non-zero status is sent header-only, as spec §3.4 says for
 * bind and submit responses (every client decodes that form), unless `errorBody` asks otherwise
 * (a failed transaction-mode data_sm_resp tells why in TLVs, spec §4.7.2). Throws RangeError instead of
 * writing a corrupt frame when a length does not fit its field (short_message over 255 octets,
 * a TLV value over 65 535, more than 255 dests) or a C-Octet String contains a NUL.
 */
export function encode(p: PduInit): Uint8Array {
  const cmd = commandByName(p.command);
  const status = p.status ?? 0;
  const withBody = !(status !== 0 && isResponse(cmd.id)) || p.errorBody === true;
  const body = p.body ?? {};
  let size = HEADER_SIZE;
  if (withBody) {
    for (const f of cmd.body) size += fieldSize(f, body[f.name]);
    for (const t of p.tlvs ?? []) size += 4 + t.value.length;
  }
  const w = new Writer(new Uint8Array(size));
  w.u32(size);
  w.u32(cmd.id);
  w.u32(status);
  w.u32(p.seq);
  if (withBody) {
    for (const f of cmd.body) writeField(w, f, body[f.name]);
    for (const t of p.tlvs ?? []) {
      if (t.value.length > 0xffff) {
        tooLong(`TLV 0x${t.tag.toString(16)} value`, t.value.length, 0xffff);
      }
      w.u16(t.tag);
      w.u16(t.value.length);
      w.bytes(t.value);
    }
  }
  return w.b;
}

/**
 * The PDU its header alone describes: every mandatory field at its null value (0, "" or empty),
 * no TLVs. Stands for a response whose body does not decode, which still tells its status.
 */
export function headerOnly(cmd: CommandDef, h: Header): Pdu {
  const body: Body = {};
  for (const f of cmd.body) body[f.name] = nullValue(f);
  return pduObject(cmd, h, body, []) as Pdu;
}

/**
 * A response whose body is only a `message_id` (submit_sm_resp, data_sm_resp), status 0 and no
 * TLVs: the octets {@link encode} writes, without the PDU object, in a view of a shared block
 * (see slab.ts: write it and drop it; its `.buffer` is not its own). Null when the id is not
 * ASCII without NUL (then {@link encode} handles it).
 */
export function encodeIdResponse(
  commandId: number,
  seq: number,
  messageId: string,
): Uint8Array | null {
  const size = HEADER_SIZE + messageId.length + 1;
  const b = outgoingBytes(size);
  b[2] = size >>> 8;
  b[3] = size;
  b[4] = commandId >>> 24;
  b[5] = commandId >>> 16;
  b[6] = commandId >>> 8;
  b[7] = commandId;
  b[12] = seq >>> 24;
  b[13] = seq >>> 16;
  b[14] = seq >>> 8;
  b[15] = seq;
  for (let i = 0; i < messageId.length; i++) {
    const c = messageId.charCodeAt(i);
    if (c === 0 || c >= 0x80) return null;
    b[HEADER_SIZE + i] = c;
  }
  return b;
}

/** Encodes a generic_nack: the answer to an unknown command_id or a broken header. */
export function genericNack(seq: number, status: number): Uint8Array {
  return encode({ command: "generic_nack", seq, status });
}
