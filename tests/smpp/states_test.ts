import assert from "node:assert/strict";
import { COMMANDS } from "../../lib/smpp/commands.ts";
import { Status } from "../../lib/smpp/status.ts";
import { BIND_STATE, canReceive, INCOMING, isAllowed, refusal } from "../../lib/smpp/states.ts";

Deno.test("INCOMING lists a rule for every command of the codec", () => {
  for (const c of COMMANDS) assert.ok(c.name in INCOMING, c.name);
});

Deno.test("isAllowed() follows the 3.4 table for submit_sm", () => {
  assert.equal(isAllowed("submit_sm", "OPEN"), false);
  assert.equal(isAllowed("submit_sm", "BOUND_TX"), true);
  assert.equal(isAllowed("submit_sm", "BOUND_RX"), false);
  assert.equal(isAllowed("submit_sm", "BOUND_TRX"), true);
});

Deno.test("isAllowed() answers enquire_link in every state, even before bind", () => {
  for (const s of ["OPEN", "BOUND_TX", "BOUND_RX", "BOUND_TRX", "UNBOUND"] as const) {
    assert.equal(isAllowed("enquire_link", s), true);
  }
});

Deno.test("isAllowed() accepts binds only in OPEN and never SMSC-only PDUs", () => {
  for (const b of Object.keys(BIND_STATE)) {
    assert.equal(isAllowed(b, "OPEN"), true);
    assert.equal(isAllowed(b, "BOUND_TRX"), false);
  }
  for (const s of ["OPEN", "BOUND_TX", "BOUND_RX", "BOUND_TRX"] as const) {
    assert.equal(isAllowed("deliver_sm", s), false);
    assert.equal(isAllowed("outbind", s), false);
  }
});

Deno.test("refusal() is 0x05 for a bind on a bound session and 0x04 otherwise", () => {
  assert.equal(refusal("bind_transceiver", "BOUND_TX"), Status.ESME_RALYBND);
  assert.equal(refusal("submit_sm", "OPEN"), Status.ESME_RINVBNDSTS);
  assert.equal(refusal("unbind", "OPEN"), Status.ESME_RINVBNDSTS);
});

Deno.test("canReceive() is true for receiver and transceiver only", () => {
  assert.deepEqual(
    (["OPEN", "BOUND_TX", "BOUND_RX", "BOUND_TRX"] as const).map(canReceive),
    [false, false, true, true],
  );
});
