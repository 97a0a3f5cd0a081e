/**
 * submit_multi (spec §4.5): the destinations it names (SME addresses, and distribution lists the
 * account defines), each becoming a submit_sm of its own.
 */
import type { DestAddress, UnsuccessSme } from "../smpp/commands.ts";
import type { Pdu } from "../smpp/codec.ts";
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";
import type { AccountRecord, Address } from "../store/records.ts";

/** One destination: an address, or why it was refused (kept for `unsuccess_sme`). */
export type Destination = { address: Address } | { failed: UnsuccessSme };

/**
 * The destinations of a submit_multi in order: SME addresses as given; a distribution list
 * (dest_flag 2) expanded from the account's `distributionLists` (TON 1, NPI 1 each), else
 * refused with ESME_RINVDLNAME (0x34) for a name it does not define or ESME_RCNTSUBDL (0x44)
 * when it defines none. An address listed twice is sent once.
 */
export function destinations(account: AccountRecord, dests: readonly DestAddress[]): Destination[] {
  const out: Destination[] = [];
  const seen = new Set<string>();
  const add = (a: Address) => {
    const key = `${a.ton}|${a.npi}|${a.addr}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ address: a });
  };
  for (const d of dests) {
    if (d.dest_flag === 1) {
      add({ ton: d.dest_addr_ton ?? 0, npi: d.dest_addr_npi ?? 0, addr: d.destination_addr ?? "" });
      continue;
    }
    const name = d.dl_name ?? "";
    const lists = account.distributionLists;
    const list = lists && Object.hasOwn(lists, name) ? lists[name] : undefined;
    if (list) {
      for (const addr of list) add({ ton: 1, npi: 1, addr });
      continue;
    }
    out.push({
      failed: {
        dest_addr_ton: 0,
        dest_addr_npi: 0,
        destination_addr: name,
        error_status_code: lists ? Status.ESME_RINVDLNAME : Status.ESME_RCNTSUBDL,
      },
    });
  }
  return out;
}

/** Statuses that refuse one destination (listed in `unsuccess_sme`), not the whole submit_multi. */
export const DESTINATION_STATUSES: ReadonlySet<number> = new Set([
  Status.ESME_RINVDSTADR,
  Status.ESME_RINVDSTTON,
  Status.ESME_RINVDSTNPI,
  Status.ESME_RMSGQFUL,
]);

/** The submit_sm a submit_multi amounts to for one destination. */
export function submitFor(pdu: Pdu<"submit_multi">, to: Address): Pdu<"submit_sm"> {
  const { dests: _d, ...rest } = pdu.body;
  if (rest.replace_if_present_flag !== 0) {
    throw new SmppError(
      Status.ESME_RINVREPFLAG,
      `replace_if_present_flag ${rest.replace_if_present_flag} (reserved in submit_multi: 0)`,
    );
  }
  return {
    command: "submit_sm",
    commandId: 4,
    status: 0,
    seq: pdu.seq,
    body: { ...rest, dest_addr_ton: to.ton, dest_addr_npi: to.npi, destination_addr: to.addr },
    tlvs: pdu.tlvs,
  };
}

/** The unsuccess_sme entry of a destination refused with `status`. */
export function unsuccess(to: Address, status: number): UnsuccessSme {
  return {
    dest_addr_ton: to.ton,
    dest_addr_npi: to.npi,
    destination_addr: to.addr,
    error_status_code: status,
  };
}
