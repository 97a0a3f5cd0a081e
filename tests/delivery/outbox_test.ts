import { receiptRecord } from "../support/records.ts";
import assert from "node:assert/strict";
import { AccountOutbox } from "../../lib/delivery/outbox.ts";
import type { ReceiptRecord } from "../../lib/store/records.ts";
import { Keys, type OutboxPage } from "../../lib/store/store.ts";

function receipt(messageId: string): ReceiptRecord {
  return receiptRecord({ messageId });
}

function page(id: string, ids: string[]): OutboxPage {
  return { account: "acme", id, receipts: ids.map(receipt) };
}

Deno.test("AccountOutbox removes a page only when its last receipt is done", () => {
  const q = new AccountOutbox("acme", 100);
  assert.ok(q.load(page("1", ["1", "2", "3"])));
  const [a, b, c] = q.ready.splice(0);
  assert.equal(q.done(a), null);
  assert.equal(q.done(c), null);
  assert.deepEqual(q.done(b), { type: "delete", key: Keys.receiptPage("acme", "1") });
  assert.ok(q.holds("1"), "held until the removal is committed");
  q.removed(b.page);
  assert.equal(q.holds("1"), false);
  assert.ok(q.load(page("1", ["1"])), "a done receipt is forgotten once its page is gone");
});

Deno.test("AccountOutbox.load() skips receipts held through another page (a crash leftover)", () => {
  const q = new AccountOutbox("acme", 100);
  q.load(page("1", ["1", "2"]));
  assert.equal(q.load(page("2:1", ["2"])), false, "every receipt already held");
  assert.ok(q.load(page("3", ["2", "3"])));
  assert.deepEqual(q.ready.map((x) => [x.r.messageId, x.page.id]), [["1", "1"], ["2", "1"], [
    "3",
    "3",
  ]]);
});

Deno.test("AccountOutbox.move() gives a resend its own page and removes the emptied old one", () => {
  const q = new AccountOutbox("acme", 100);
  q.load(page("1", ["1", "2"]));
  const [one, two] = q.ready.splice(0);
  const first = q.move(one, { ...one.r, attempts: 1 });
  assert.equal(first.oldRemoved, false, "receipt 2 still open in page 1");
  assert.deepEqual(first.ops.map((o) => [o.type, o.key]), [[
    "set",
    ["dlr", "acme", first.queued.page.id],
  ]]);
  assert.match(first.queued.page.id, /^1:1\./, "its id names the message and the attempt");
  const second = q.move(two, { ...two.r, attempts: 1 });
  assert.equal(second.oldRemoved, true);
  assert.deepEqual(second.ops.map((o) => [o.type, o.key]), [
    ["set", ["dlr", "acme", second.queued.page.id]],
    ["delete", ["dlr", "acme", "1"]],
  ]);
  assert.notEqual(second.queued.page.id, first.queued.page.id);
  q.removed(one.page);
  assert.equal(q.load(page("x", ["1", "2"])), false, "moved receipts stay held");
});

Deno.test("AccountOutbox remembers pages removed during a scan so the scan skips them", () => {
  const q = new AccountOutbox("acme", 100);
  q.load(page("1", ["1"]));
  q.scanStarted();
  const [x] = q.ready.splice(0);
  q.done(x);
  q.removed(x.page);
  assert.ok(q.holds("1"), "the scan's listing may still show it");
  q.scanEnded();
  assert.equal(q.holds("1"), false);
});

Deno.test("AccountOutbox.fits() takes whole pages up to the memory limit (any page when empty)", () => {
  const q = new AccountOutbox("acme", 3);
  assert.ok(q.fits(10), "an empty queue takes any page");
  q.load(page("1", ["1", "2"]));
  assert.ok(q.fits(1));
  assert.equal(q.fits(2), false);
});
