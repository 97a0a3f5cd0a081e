/**
 * Fuzz case generators: each turns a seeded PRNG into the bytes one hostile or broken client
 * sends on a fresh connection (random noise, truncated or mutated PDUs, protocol abuse).
 */
import { concatBytes } from "../../../lib/smpp/bytes.ts";
import { MAX_PDU_LENGTH } from "../../../lib/smpp/frames.ts";
import { encode } from "../../../lib/smpp/codec.ts";
import { commandById } from "../../../lib/smpp/commands.ts";
import { Status } from "../../../lib/smpp/status.ts";
import { plausibleMessage } from "./plausible.ts";
import { Rng } from "../rng.ts";
import {
  type Credentials,
  ESME_RESPONSES,
  randomCommand,
  randomSeq,
  type Template,
  template,
} from "./templates.ts";

/** A reply status a case can predict exactly (only checked on a session bound before the case). */
export interface Expected {
  /** sequence_number of the request. */
  seq: number;
  /** command_id of the response. */
  commandId: number;
  /** The status it must carry. */
  status: number;
}

/** What one case sends, and how. */
export interface FuzzCase {
  /** Generator that made it (one of {@link CASE_KINDS}). */
  kind: string;
  /** Bind as transceiver with good credentials before sending `chunks`. */
  bind: boolean;
  /** Written in order, with `pauseMs` between writes. */
  chunks: Uint8Array[];
  /** Pause between writes (dribbled cases). */
  pauseMs: number;
  /** Exact statuses this case can predict for its own requests. */
  expect: Expected[];
}

/** Settings the generators need. */
export interface CaseOptions {
  /** Account for binds meant to succeed. */
  credentials: Credentials;
  /** The gateway's cap on command_length. */
  maxPduLength?: number;
}

type Gen = (rng: Rng, o: Required<CaseOptions>, c: FuzzCase) => void;

function setU32(b: Uint8Array, off: number, v: number) {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0);
}

/** Appends `extra` to a PDU and fixes command_length to cover it. */
function grow(b: Uint8Array, extra: Uint8Array): Uint8Array {
  const out = concatBytes([b, extra]);
  setU32(out, 0, out.length);
  return out;
}

/** The response command_id of a template's request. */
function respIdOf(t: Template): number {
  return (new DataView(t.bytes.buffer, t.bytes.byteOffset).getUint32(4) | 0x80000000) >>> 0;
}

function submitLike(rng: Rng, o: Required<CaseOptions>, tlvs: boolean): Template {
  return template(rng, rng.chance(0.8) ? "submit_sm" : "data_sm", o.credentials, { tlvs });
}

const GENERATORS: Record<string, Gen> = {
  random(rng, _o, c) {
    const b = rng.bytes(rng.int(0, 200));
    // Half the time make the first word a plausible length so the noise gets framed.
    if (b.length >= 4 && rng.chance(0.5)) setU32(b, 0, rng.int(16, Math.max(16, b.length)));
    c.chunks.push(b);
  },
  truncated(rng, o, c) {
    const t = template(rng, randomCommand(rng), o.credentials);
    c.chunks.push(t.bytes.slice(0, rng.int(1, t.bytes.length - 1)));
  },
  bitflip(rng, o, c) {
    const b = template(rng, randomCommand(rng), o.credentials).bytes.slice();
    for (let i = rng.int(1, 4); i > 0; i--) b[rng.int(0, b.length - 1)] ^= 1 << rng.int(0, 7);
    c.chunks.push(b);
  },
  length_off(rng, o, c) {
    const b = template(rng, randomCommand(rng), o.credentials).bytes.slice();
    const d = rng.int(1, rng.chance(0.7) ? 4 : 64) * (rng.chance(0.5) ? 1 : -1);
    setU32(b, 0, Math.max(0, b.length + d));
    c.chunks.push(b);
    // A second valid PDU behind it shows whether framing recovered or failed cleanly.
    if (rng.chance(0.5)) c.chunks.push(template(rng, "enquire_link", o.credentials).bytes);
  },
  length_huge(rng, o, c) {
    const b = template(rng, randomCommand(rng), o.credentials).bytes.slice();
    setU32(
      b,
      0,
      rng.pick([o.maxPduLength + 1, o.maxPduLength + rng.int(2, 1e6), 0xffffffff, 0x80000000]),
    );
    c.chunks.push(b);
  },
  length_big_short(rng, o, c) {
    // Within the cap but far more than is sent: the gateway must wait, not misframe.
    const b = template(rng, randomCommand(rng), o.credentials).bytes.slice();
    setU32(b, 0, rng.int(b.length + 1, o.maxPduLength));
    c.chunks.push(b);
  },
  length_tiny(rng, o, c) {
    const b = template(rng, randomCommand(rng), o.credentials).bytes.slice();
    setU32(b, 0, rng.int(0, 15));
    c.chunks.push(rng.chance(0.3) ? b.slice(0, rng.int(4, 15)) : b);
  },
  cstring_no_nul(rng, o, c) {
    const t = template(
      rng,
      rng.pick(["bind_transceiver", "submit_sm", "query_sm", "data_sm"]),
      o.credentials,
    );
    const b = t.bytes.slice();
    const all = rng.chance(0.3);
    for (let i = 16; i < t.mandatoryEnd; i++) {
      if (b[i] === 0 && (all || rng.chance(0.4))) b[i] = rng.int(0x41, 0x5a);
    }
    c.chunks.push(b);
  },
  sm_length_over(rng, o, c) {
    const t = template(rng, "submit_sm", o.credentials, { tlvs: false });
    const b = t.bytes.slice();
    const sm = b[t.smLengthAt];
    b[t.smLengthAt] = rng.int(sm + 1, 255);
    c.chunks.push(b);
    if (c.bind) {
      c.expect.push({ seq: t.seq, commandId: respIdOf(t), status: Status.ESME_RINVMSGLEN });
    }
  },
  tlv_past_end(rng, o, c) {
    const t = submitLike(rng, o, true);
    const len = rng.int(1, 0xffff);
    const extra = rng.bytes(rng.int(0, Math.min(len - 1, 30)));
    const head = Uint8Array.of(0x02, 0x04, len >>> 8, len & 0xff);
    c.chunks.push(grow(t.bytes, concatBytes([head, extra])));
    if (c.bind) {
      c.expect.push({ seq: t.seq, commandId: respIdOf(t), status: Status.ESME_RINVOPTPARSTREAM });
    }
  },
  stray_after_tlvs(rng, o, c) {
    const t = submitLike(rng, o, true);
    c.chunks.push(grow(t.bytes, rng.bytes(rng.int(1, 3))));
    if (c.bind) {
      c.expect.push({ seq: t.seq, commandId: respIdOf(t), status: Status.ESME_RINVOPTPARSTREAM });
    }
  },
  unknown_command(rng, _o, c) {
    let id = 0;
    for (let i = 0; i < 100 && (id === 0 || commandById(id)); i++) {
      id = rng.pick([
        rng.int(0x0a, 0x14),
        rng.int(0x16, 0x20),
        rng.int(0x22, 0x101),
        rng.int(0x104, 0xffff),
        0x111,
        0x112,
        0x113,
        rng.int(0x10200, 0x102ff),
        rng.u32(),
        (rng.int(0x0a, 0x300) | 0x80000000) >>> 0,
      ]);
    }
    const body = rng.bytes(rng.int(0, 40));
    const b = concatBytes([new Uint8Array(16), body]);
    setU32(b, 0, b.length);
    setU32(b, 4, id);
    setU32(b, 12, randomSeq(rng));
    c.chunks.push(b);
  },
  orphan_response(rng, o, c) {
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) {
      const status = rng.chance(0.5) ? 0 : rng.u32();
      c.chunks.push(template(rng, rng.pick(ESME_RESPONSES), o.credentials, { status }).bytes);
    }
  },
  seq_edge(rng, o, c) {
    const seq = rng.pick([0, 0xffffffff, 0x80000000, 0x7fffffff]);
    c.chunks.push(
      template(
        rng,
        rng.pick(["enquire_link", "submit_sm", "query_sm", "cancel_sm"]),
        o.credentials,
        {
          seq,
        },
      ).bytes,
    );
  },
  bind_overlong(rng, o, c) {
    const longId = rng.chance(0.5);
    const seq = randomSeq(rng);
    const command = rng.pick(["bind_transmitter", "bind_receiver", "bind_transceiver"]);
    const b = encode({
      command,
      seq,
      body: {
        system_id: longId ? rng.str(rng.int(17, 60)) : o.credentials.systemId,
        password: longId && rng.chance(0.5) ? o.credentials.password : rng.str(rng.int(9, 60)),
        interface_version: 0x34,
      },
    });
    c.chunks.push(b);
    const id = new DataView(b.buffer).getUint32(4);
    const status = c.bind
      ? Status.ESME_RALYBND
      : longId
      ? Status.ESME_RINVSYSID
      : Status.ESME_RINVPASWD;
    c.expect.push({ seq, commandId: (id | 0x80000000) >>> 0, status });
  },
  pipeline(rng, o, c) {
    // Several PDUs in one write, the last one sometimes broken.
    const parts = Array.from(
      { length: rng.int(2, 6) },
      () => template(rng, randomCommand(rng), o.credentials).bytes,
    );
    if (rng.chance(0.3)) {
      const last = parts[parts.length - 1].slice();
      last[rng.int(0, last.length - 1)] ^= 1 << rng.int(0, 7);
      parts[parts.length - 1] = last;
    }
    c.chunks.push(concatBytes(parts));
  },
  dribble(rng, o, c) {
    const parts = Array.from(
      { length: rng.int(1, 3) },
      () => template(rng, randomCommand(rng), o.credentials, { tlvs: false }).bytes,
    );
    const all = concatBytes(parts);
    for (let off = 0; off < all.length && c.chunks.length < 400;) {
      const n = Math.min(all.length - off, rng.int(1, 7));
      c.chunks.push(all.subarray(off, off + n));
      off += n;
    }
    c.pauseMs = rng.int(0, 2);
  },
  plausible(rng, _o, c) {
    // Real messages on a bound session, 1-3 of them in one write or dribbled.
    c.bind = true;
    let seq = rng.int(1, 1000);
    const pdus = Array.from(
      { length: rng.int(1, 3) },
      () => plausibleMessage(rng, () => seq++, c.expect),
    ).flat();
    c.chunks.push(...(rng.chance(0.8) ? [concatBytes(pdus)] : pdus));
  },
  valid(rng, o, c) {
    // Structure-aware: well-framed PDUs whose field values are random.
    c.chunks.push(template(rng, randomCommand(rng), o.credentials).bytes);
  },
};

/** Names of every case kind, in the order the generator picks from. */
export const CASE_KINDS: readonly string[] = Object.keys(GENERATORS);

/**
 * Builds case number `index` of a run: same `seed` and `index`, same case. A case binds first
 * about 60% of the time.
 */
export function fuzzCase(rng: Rng, o: CaseOptions, kind?: string): FuzzCase {
  const opts = { maxPduLength: MAX_PDU_LENGTH, ...o };
  const k = kind ?? rng.pick(CASE_KINDS);
  const c: FuzzCase = { kind: k, bind: rng.chance(0.6), chunks: [], pauseMs: 0, expect: [] };
  const gen = GENERATORS[k];
  if (!gen) throw new TypeError(`unknown case kind ${k}`);
  gen(rng, opts, c);
  return c;
}
