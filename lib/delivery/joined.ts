/**
 * Joined messages (parts of a concatenated message given to a "whole" route as one job): the job
 * found again from one of its parts, and its whole content for a route that sends it in one go.
 */
import type { JobRecord, JoinedRecord, MessageRecord } from "../store/records.ts";
import type { Store } from "../store/store.ts";
import { concatBytes } from "../smpp/bytes.ts";
import { encodeText, ESM_UDHI, parseUdh, partsFor, userText } from "../text/mod.ts";

/**
 * `dcs` (GSM 0x00 or UCS2 0x08) with the message class of `original` when it had one (general
 * coding group 0x10–0x1F: e.g. a flash message stays one).
 */
function withClass(original: number, dcs: number): number {
  if (original < 0x10 || original > 0x1f) return dcs;
  return (original & 0x13) | (dcs === 0x08 ? 0x08 : 0x00);
}

/** The job of joined message `j` whose first part is `first` (its body is read from the parts). */
export function joinedJob(first: MessageRecord, j: JoinedRecord): JobRecord {
  const parts = j.parts.filter((p) => p !== null);
  // Parts sent twice come last: settled with the message, left out of its text.
  for (const d of j.duplicates ?? []) parts.push(d);
  return { ...first, id: j.id, body: new Uint8Array(0), joinedParts: parts };
}

/**
 * The job a part's outcome settles (after its hand-over: for its receipt, or its expiry): its
 * joined message's, or the part's own when the parts were released to go on their own. Null when
 * the part belongs to no joined message.
 */
export async function joinedJobOf(store: Store, partId: string): Promise<JobRecord | null> {
  const j = await store.joinedRecordOf(partId);
  if (j?.released) {
    const m = await store.message(partId);
    return m && { ...m, released: true };
  }
  const first = j?.parts.find((p) => p !== null);
  const m = first ? await store.message(first.id) : null;
  return j && m ? joinedJob(m, j) : null;
}

/**
 * A joined job with its whole content, as a route sends it in one request: the parts' texts
 * joined and encoded again (GSM 7-bit unpacked when it fits, else UCS2), without UDH; binary
 * parts have their payloads joined. A part that never came is left out.
 */
export async function wholeContent(store: Store, job: JobRecord): Promise<JobRecord> {
  if (!job.joinedParts) return job;
  const parts: MessageRecord[] = [];
  const seen = new Set<number>();
  for (const p of job.joinedParts) {
    if (seen.has(p.seq)) continue; // a part sent twice: its first copy is the text
    seen.add(p.seq);
    const m = await store.message(p.id);
    if (m) parts.push(m);
  }
  const texts = parts.map((m) => {
    try {
      return userText(m).text;
    } catch {
      return null;
    }
  });
  const { joinedParts: _, ...rest } = job;
  if (parts.length > 0 && texts.every((t) => t !== null)) {
    const text = texts.join("");
    const { dcs, bytes } = encodeText(text);
    const units = dcs === 0x08 ? bytes.length / 2 : bytes.length;
    return {
      ...rest,
      body: bytes,
      dataCoding: withClass(job.dataCoding, dcs),
      esmClass: job.esmClass & ~ESM_UDHI,
      parts: partsFor(dcs, units),
      packed: false,
      latin1: false,
    };
  }
  const payloads = parts.map((m) => m.esmClass & ESM_UDHI ? parseUdh(m.body).payload : m.body);
  return {
    ...rest,
    body: concatBytes(payloads),
    esmClass: job.esmClass & ~ESM_UDHI,
    parts: parts.length,
  };
}
