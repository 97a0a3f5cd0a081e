/**
 * The decoder's fast path for the PDU a gateway reads most: submit_sm (and deliver_sm, the same
 * body). The fields are read in wire order straight into one object literal, so every body has
 * the same shape and no table is walked per field. Limits and statuses come from the command
 * table (commands.ts), and a test checks it against the table-driven decoder on valid, broken and
 * random frames: the same PDU, or the same SmppError.
 */
import { commandById, type CommandDef, CommandId, type Field } from "./commands.ts";
import { type Header, pduObject, Reader, readTlvs } from "./reader.ts";

/** A C-Octet String field's limits, as the command table gives them. */
interface CstrSpec {
  name: string;
  max: number;
  err: number;
  tol: number;
}

const LAYOUT: readonly Field[] = commandById(CommandId.submit_sm)!.body;

function cstrSpec(name: string): CstrSpec {
  const f = LAYOUT.find((f) => f.name === name);
  if (f?.type !== "cstr") throw new TypeError(`submit_sm has no C-Octet String ${name}`);
  return { name, max: f.max, err: f.err, tol: f.tol ?? 0 };
}

function timeErr(name: string): number {
  const f = LAYOUT.find((f) => f.name === name);
  if (f?.type !== "time") throw new TypeError(`submit_sm has no time ${name}`);
  return f.err;
}

const SERVICE_TYPE = cstrSpec("service_type");
const SOURCE = cstrSpec("source_addr");
const DEST = cstrSpec("destination_addr");
const SCHEDULE = timeErr("schedule_delivery_time");
const VALIDITY = timeErr("validity_period");

/** The order {@link decodeSubmitBody} reads in: the table's, checked once at load. */
const ORDER = [
  "service_type",
  "source_addr_ton",
  "source_addr_npi",
  "source_addr",
  "dest_addr_ton",
  "dest_addr_npi",
  "destination_addr",
  "esm_class",
  "protocol_id",
  "priority_flag",
  "schedule_delivery_time",
  "validity_period",
  "registered_delivery",
  "replace_if_present_flag",
  "data_coding",
  "sm_default_msg_id",
  "short_message",
];
if (
  LAYOUT.map((f) => f.name).join() !== ORDER.join() ||
  commandById(CommandId.deliver_sm)!.body !== LAYOUT
) {
  throw new TypeError("submit_sm or deliver_sm layout changed: update submit_decode.ts");
}

function cstr(r: Reader, s: CstrSpec): string {
  return r.cstr(s.name, s.max, s.err, s.tol);
}

/** The submit_sm body and TLVs of a frame whose header `h` was read (command_length checked). */
export function decodeSubmitBody(frame: Uint8Array, h: Header, cmd: CommandDef) {
  const r = new Reader(frame, h.length);
  // Properties are evaluated in source order: the fields are read in wire order.
  const body = {
    service_type: cstr(r, SERVICE_TYPE),
    source_addr_ton: r.u8(),
    source_addr_npi: r.u8(),
    source_addr: cstr(r, SOURCE),
    dest_addr_ton: r.u8(),
    dest_addr_npi: r.u8(),
    destination_addr: cstr(r, DEST),
    esm_class: r.u8(),
    protocol_id: r.u8(),
    priority_flag: r.u8(),
    schedule_delivery_time: r.time("schedule_delivery_time", SCHEDULE),
    validity_period: r.time("validity_period", VALIDITY),
    registered_delivery: r.u8(),
    replace_if_present_flag: r.u8(),
    data_coding: r.u8(),
    sm_default_msg_id: r.u8(),
    short_message: r.sm(),
  };
  return pduObject(cmd, h, body, readTlvs(r));
}

/** Whether {@link decodeSubmitBody} reads this command (submit_sm, deliver_sm). */
export function hasFastPath(commandId: number): boolean {
  return commandId === CommandId.submit_sm || commandId === CommandId.deliver_sm;
}
