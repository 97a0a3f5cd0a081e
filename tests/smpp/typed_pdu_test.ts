import assert from "node:assert/strict";
import { decode, encode, headerOnly, type Pdu, peekHeader } from "../../lib/smpp/codec.ts";
import { type BodyOf, commandById, type CommandName } from "../../lib/smpp/commands.ts";

/** Compile-time checks: this function type-checks only while the body types hold. */
function bodyTypes(pdu: Pdu): string {
  switch (pdu.command) {
    case "submit_sm": {
      const esm: number = pdu.body.esm_class;
      const sm: Uint8Array = pdu.body.short_message;
      const dest: string = pdu.body.destination_addr;
      // @ts-expect-error submit_sm has no system_id: it is typed absent
      const _none: string = pdu.body.system_id;
      return `${esm} ${sm.length} ${dest}`;
    }
    case "bind_transceiver":
      return `${pdu.body.system_id} ${pdu.body.interface_version.toFixed()}`;
    case "submit_multi":
      return pdu.body.dests.map((d) => d.dest_flag).join();
    default:
      // Not narrowed: a field of some commands is that type or absent.
      return pdu.body.message_id ?? "";
  }
}

Deno.test("decode() gives a PDU whose body fields are typed by its command", () => {
  const wire = encode({
    command: "submit_sm",
    seq: 3,
    body: { esm_class: 0x40, destination_addr: "4477", short_message: Uint8Array.of(1, 2) },
  });
  assert.equal(bodyTypes(decode(wire)), "64 2 4477");
  const bind = encode({
    command: "bind_transceiver",
    seq: 1,
    body: { system_id: "esme", interface_version: 0x34 },
  });
  assert.equal(bodyTypes(decode(bind)), "esme 52");
  const names: CommandName[] = ["generic_nack", "data_sm_resp"];
  const empty: BodyOf<"generic_nack"> = {};
  assert.deepEqual([names.length, empty], [2, {}]);
});

Deno.test("headerOnly() gives every mandatory field its null value and no TLVs", () => {
  const frame = encode({ command: "submit_multi_resp", seq: 9, status: 0x45 });
  const cmd = commandById(peekHeader(frame).commandId)!;
  assert.deepEqual(headerOnly(cmd, peekHeader(frame)), {
    command: "submit_multi_resp",
    commandId: 0x80000021,
    status: 0x45,
    seq: 9,
    body: { message_id: "", unsuccess: [] },
    tlvs: [],
  });
});
