import assert from "node:assert/strict";
import {
  constantTimeEqual,
  generatePassword,
  hashPassword,
  verifyPassword,
} from "../../lib/accounts/password.ts";

Deno.test("hashPassword() stores a salted PBKDF2 hash that verifyPassword() accepts", async () => {
  const h = await hashPassword("secret", 1000);
  assert.equal(h.alg, "pbkdf2-sha256");
  assert.ok(!JSON.stringify(h).includes("secret"));
  assert.equal(await verifyPassword("secret", h), true);
  assert.equal(await verifyPassword("secreT", h), false);
  assert.notEqual((await hashPassword("secret", 1000)).salt, h.salt);
});

Deno.test("constantTimeEqual() compares length and content", () => {
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
  assert.equal(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 0])), false);
});

Deno.test("generatePassword() fits the 8-character password field", () => {
  for (let i = 0; i < 100; i++) assert.match(generatePassword(), /^[a-zA-Z2-9]{8}$/);
});
