/**
 * What the upstream sends the route: receipts (matched to hand-overs by the upstream's id, in
 * whichever base it writes it) and mobile-originated messages; each answered with a status.
 */
import { getLogger } from "@logtape/logtape";
import type { RouteHost, RouteReceipt } from "../../delivery/route.ts";
import type { Pdu } from "../../smpp/codec.ts";
import { Status } from "../../smpp/status.ts";
import { Tag, type Tlv } from "../../smpp/tlvs.ts";
import type { Handovers } from "./handovers.ts";
import { idVariants, parseReceipt, upstreamKind } from "./receipt_parse.ts";

const log = getLogger(["smppgw", "route", "smpp"]);

/** How long a receipt waits for the hand-over of its id being stored (ms). */
export const RECEIPT_GRACE_MS = 1000;

/** What the inbox needs from its route. */
export interface InboxOptions {
  /** The route's host (set once the route started). */
  host: () => RouteHost | undefined;
  /** Hand-overs just stored. */
  handovers: Handovers;
  /** Names the route in logs. */
  label: string;
  /** How long a receipt for an unknown id waits for its hand-over (default 1000 ms). */
  graceMs?: number;
}

/**
 * The command_status to answer an upstream deliver_sm or data_sm with: 0 once handled (also for
 * receipts of unknown ids, logged), 0x65 for a message no inbound rule takes, 0x08 when the host
 * failed or the receipt's hand-over is still not stored (the upstream sends it again).
 *
 * @example
 * ```ts
 * import { handleUpstream } from "./inbox.ts";
 * import { Handovers } from "./handovers.ts";
 * import type { Pdu } from "../../smpp/codec.ts";
 * import type { RouteHost } from "../../delivery/route.ts";
 * declare const host: RouteHost;
 * declare const pdu: Pdu<"deliver_sm">;
 * const status = await handleUpstream(pdu, {
 *   host: () => host,
 *   handovers: new Handovers(),
 *   label: "fr",
 * });
 * ```
 */
export async function handleUpstream(
  pdu: Pdu<"deliver_sm" | "data_sm">,
  o: InboxOptions,
): Promise<number> {
  const host = o.host();
  // The gateway starts a route before it binds: nothing arrives without a host.
  if (!host) return Status.ESME_RSYSERR;
  const sm = pdu.command === "deliver_sm" ? pdu.body.short_message : new Uint8Array(0);
  const kind = upstreamKind(pdu.body.esm_class);
  if (kind === "message") return await inbound(host, pdu, sm, o);
  if (kind === "intermediate") {
    log.debug("{label}: intermediate notification ignored", { label: o.label });
    return Status.ESME_ROK;
  }
  const r = parseReceipt({ shortMessage: sm, dataCoding: pdu.body.data_coding, tlvs: pdu.tlvs });
  if (r === null) {
    log.warn("{label}: receipt without id or state ignored (esm_class 0x{esm})", {
      label: o.label,
      esm: pdu.body.esm_class.toString(16),
    });
    return Status.ESME_ROK;
  }
  if (!r.final) {
    log.debug("{label}: intermediate state of {id} ignored", { label: o.label, id: r.id });
    return Status.ESME_ROK;
  }
  try {
    const ids = idVariants(r.id);
    let result = await receiptOf(host, ids, r);
    if (result === "unknown") {
      const wait = await o.handovers.waitFor(ids, o.graceMs ?? RECEIPT_GRACE_MS);
      if (wait === "pending") {
        log.warn("{label}: receipt for {id} came before its hand-over was stored; asked again", {
          label: o.label,
          id: r.id,
        });
        return Status.ESME_RSYSERR;
      }
      if (wait === "stored") result = await receiptOf(host, ids, r);
    }
    if (result === "unknown") {
      log.warn("{label}: receipt for unknown upstream id {id} ({stat}) ignored", {
        label: o.label,
        id: r.id,
        stat: r.stat,
      });
    }
    return Status.ESME_ROK;
  } catch (e) {
    log.error("{label}: storing the receipt of {id} failed: {error}", {
      label: o.label,
      id: r.id,
      error: String(e),
    });
    return Status.ESME_RSYSERR;
  }
}

/** Offers the receipt under each form of its id until one is known. */
async function receiptOf(
  host: RouteHost,
  ids: readonly string[],
  r: Omit<RouteReceipt, "providerId">,
): Promise<"settled" | "repeat" | "unknown"> {
  for (const providerId of ids) {
    const result = await host.receipt({ providerId, stat: r.stat, err: r.err });
    if (result !== "unknown") return result;
  }
  return "unknown";
}

async function inbound(
  host: RouteHost,
  pdu: Pdu<"deliver_sm" | "data_sm">,
  sm: Uint8Array,
  o: InboxOptions,
): Promise<number> {
  const body = sm.length > 0 ? sm : payload(pdu.tlvs) ?? sm;
  try {
    const result = await host.inbound({
      source: pdu.body.source_addr,
      dest: pdu.body.destination_addr,
      body,
      dataCoding: pdu.body.data_coding,
      esmClass: pdu.body.esm_class,
    });
    if (result === "queued") return Status.ESME_ROK;
    log.warn("{label}: inbound message to {dest} refused: no inbound rule", {
      label: o.label,
      dest: pdu.body.destination_addr,
    });
    return Status.ESME_RX_P_APPN;
  } catch (e) {
    log.error("{label}: storing an inbound message failed: {error}", {
      label: o.label,
      error: String(e),
    });
    return Status.ESME_RSYSERR;
  }
}

function payload(tlvs: readonly Tlv[]): Uint8Array | undefined {
  return tlvs.find((t) => t.tag === Tag.message_payload)?.value;
}
