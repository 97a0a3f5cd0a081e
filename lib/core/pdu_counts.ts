/**
 * PDUs counted by direction, command and command_status on the hot path: a PDU's header indexes
 * a preallocated row (one row per direction and command, made on first use), so counting
 * allocates nothing and builds no string. The counts are read back as numbers; names are given
 * when they are written out (`lib/scrape.ts`).
 *
 * Every command_id SMPP 3.4 defines (0x000–0x1FF, with or without the response bit) has a row of
 * its own; any other shares one row ({@link PduSeries.commandId} null). Responses are counted by
 * status, 0x00–0xFF each, anything above together (`status` null); requests carry no status and
 * count as 0, so a peer cannot add series by sending odd ones.
 *
 * ```ts
 * import { PDU_IN, PduCounts } from "./pdu_counts.ts";
 * const pdus = new PduCounts();
 * pdus.countFrame(PDU_IN, new Uint8Array([0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1]));
 * console.log([...pdus.series()]); // [{ direction: "in", commandId: 0x15, status: 0, value: 1 }]
 * ```
 */

/** Direction of a PDU: received from the ESME. */
export const PDU_IN = 0;
/** Direction of a PDU: sent to the ESME. */
export const PDU_OUT = 1;
/** {@link PDU_IN} or {@link PDU_OUT}. */
export type PduDirection = 0 | 1;

const DIRECTIONS = ["in", "out"] as const;

/** Command rows: 0x000–0x1FF, then the same with the response bit, then the rest together. */
const OTHER_COMMAND = 1024;
const ROWS = OTHER_COMMAND + 1;
/** Statuses 0..0xFF have their own cell; anything above shares the last. */
const OTHER_STATUS = 256;

/** One series of the counts. */
export interface PduSeries {
  /** "in" from the ESME, "out" to it. */
  direction: "in" | "out";
  /** The command_id, or null for any outside the ranges SMPP 3.4 uses. */
  commandId: number | null;
  /** The command_status (0 for requests), or null for any above 0xFF. */
  status: number | null;
  /** PDUs counted. */
  value: number;
}

/** PDU counts of every session of a gateway. */
export class PduCounts {
  /** Per direction and command row: counts by status (made on first use). */
  readonly #rows: (Float64Array | undefined)[] = new Array(2 * ROWS);

  /** Counts one PDU from its header (the first 12 octets of `frame`). */
  countFrame(direction: PduDirection, frame: Uint8Array): void {
    if (frame.length < 12) return;
    const id = ((frame[4] << 24) | (frame[5] << 16) | (frame[6] << 8) | frame[7]) >>> 0;
    const status = ((frame[8] << 24) | (frame[9] << 16) | (frame[10] << 8) | frame[11]) >>> 0;
    this.count(direction, id, status);
  }

  /** Counts one PDU of `commandId` with `status`. */
  count(direction: PduDirection, commandId: number, status: number): void {
    const row = (commandId & 0x7ffffe00) === 0
      ? (commandId & 0x1ff) | ((commandId >>> 22) & 0x200)
      : OTHER_COMMAND;
    const i = direction * ROWS + row;
    const cells = this.#rows[i] ??= new Float64Array(OTHER_STATUS + 1);
    cells[commandId < 0x80000000 ? 0 : status < OTHER_STATUS ? status : OTHER_STATUS]++;
  }

  /** Every non-zero count. */
  *series(): Generator<PduSeries> {
    for (let i = 0; i < this.#rows.length; i++) {
      const cells = this.#rows[i];
      if (!cells) continue;
      const row = i % ROWS;
      const direction = DIRECTIONS[(i - row) / ROWS];
      const commandId = row === OTHER_COMMAND ? null : ((row & 0x200) << 22 | (row & 0x1ff)) >>> 0;
      for (let s = 0; s <= OTHER_STATUS; s++) {
        if (cells[s] === 0) continue;
        yield { direction, commandId, status: s === OTHER_STATUS ? null : s, value: cells[s] };
      }
    }
  }
}
