/** What the upstream's answers to a job's submit_sm mean for the job. */
import type { Pdu } from "../../smpp/codec.ts";
import { Status, statusName } from "../../smpp/status.ts";
import { LinkClosed, ResponseTimeout } from "./link_types.ts";

/** Statuses worth trying again later: throttled, queue full, system error. */
export const TEMPORARY_STATUSES: ReadonlySet<number> = new Set([
  Status.ESME_RTHROTTLED,
  Status.ESME_RMSGQFUL,
  Status.ESME_RSYSERR,
]);

/** The outcome of sending one job (all its parts). */
export type Verdict =
  /** Every part was accepted; `ids` are the upstream's message ids, in part order. */
  | { kind: "handed"; ids: string[] }
  /** Worth trying again (throttled, timed out, link lost, not all parts sent). */
  | { kind: "temporary"; reason: string }
  /** Refused for good; `err` is the status in decimal, three digits. */
  | { kind: "permanent"; err: string; reason: string };

/** A command_status as a receipt `err` code: decimal, three digits ("999" above 999). */
export function errCode(status: number): string {
  return status > 999 ? "999" : String(status).padStart(3, "0");
}

/**
 * The verdict on a job from its parts' responses (`complete`: every part was sent). A permanent
 * refusal of any part (or a part that cannot be encoded, err "000") wins over temporary
 * failures; any temporary failure sends the whole job again.
 *
 * @example
 * ```ts
 * import { verdict } from "./outcome.ts";
 * import type { Pdu } from "../../smpp/codec.ts";
 * const resp = { command: "submit_sm_resp", status: 0x0b, body: { message_id: "" } } as Pdu;
 * console.log(verdict([{ status: "fulfilled", value: resp }], true));
 * // { kind: "permanent", err: "011", reason: "ESME_RINVDSTADR (0x0b)" }
 * ```
 */
export function verdict(results: readonly PromiseSettledResult<Pdu>[], complete: boolean): Verdict {
  const ids: string[] = [];
  let temporary: string | undefined = complete ? undefined : "the link ended before every part";
  for (const r of results) {
    if (r.status === "rejected") {
      const e = r.reason;
      if (!(e instanceof LinkClosed || e instanceof ResponseTimeout)) {
        // Not the link's fault: the PDU cannot be built (a field too long); it never will be.
        return { kind: "permanent", err: "000", reason: String(e) };
      }
      temporary ??= e.message;
      continue;
    }
    const p = r.value;
    // A generic_nack answering a submit_sm carries its status; one saying 0 is still a refusal.
    const status = p.command === "submit_sm_resp" ? p.status : p.status || Status.ESME_RUNKNOWNERR;
    const reason = `${statusName(status)} (0x${status.toString(16).padStart(2, "0")})`;
    if (status === Status.ESME_ROK) ids.push(p.body.message_id ?? "");
    else if (TEMPORARY_STATUSES.has(status)) temporary ??= reason;
    else return { kind: "permanent", err: errCode(status), reason };
  }
  if (temporary !== undefined) return { kind: "temporary", reason: temporary };
  return { kind: "handed", ids };
}

/** The message ids of the parts the upstream accepted. */
export function acceptedIds(results: readonly PromiseSettledResult<Pdu>[]): string[] {
  return results.flatMap((r) =>
    r.status === "fulfilled" && r.value.command === "submit_sm_resp" && r.value.status === 0
      ? [r.value.body.message_id]
      : []
  );
}
