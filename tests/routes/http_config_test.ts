/** parseHttpRoute(): the config of one HTTP route, its defaults, and errors that name the key. */
import assert from "node:assert/strict";
import { ConfigError } from "../../lib/core/validate.ts";
import { HTTP_ROUTE_DEFAULTS, parseHttpRoute } from "../../lib/routes/http/config.ts";
import { RETRY_DEFAULTS } from "../../lib/routes/retry.ts";

/** The example. */
const EXAMPLE = {
  name: "uk",
  type: "http",
  match: { dest: "^44", accounts: ["acme"] },
  url: "http://127.0.0.1:9000/send",
  method: "POST",
  format: "json",
  headers: { Authorization: "Bearer K" },
  params: { to: "{dest}", from: "{source}", text: "{text}", ref: "{id}" },
  providerId: "messageId",
  timeoutMs: 5000,
  tps: 50,
  concurrency: 10,
  retry: { baseMs: 1000, maxMs: 60000, maxAttempts: 8 },
  dlr: {
    token: "T",
    id: "ref",
    status: "status",
    err: "code",
    stat: { delivered: "DELIVRD", failed: "UNDELIV", expired: "EXPIRED" },
  },
  mo: { token: "T", from: "from", to: "to", text: "text" },
};

const URL_ = "http://127.0.0.1:9000/send";

/** parseHttpRoute(the minimal route + `extra`) throws a ConfigError matching `re`. */
function bad(extra: Record<string, unknown>, re: RegExp) {
  assert.throws(
    () => parseHttpRoute({ name: "uk", url: URL_, ...extra }, "routes[0]"),
    (e: unknown) => e instanceof ConfigError && re.test(e.message),
    `${JSON.stringify(extra)} should fail with ${re}`,
  );
}

Deno.test("parseHttpRoute() reads the example config", () => {
  const c = parseHttpRoute(EXAMPLE, "routes[0]");
  assert.deepEqual(c, {
    name: "uk",
    url: EXAMPLE.url,
    method: "POST",
    format: "json",
    headers: EXAMPLE.headers,
    params: EXAMPLE.params,
    providerId: "messageId",
    timeoutMs: 5000,
    tps: 50,
    concurrency: 10,
    concat: "join",
    retry: EXAMPLE.retry,
    dlr: EXAMPLE.dlr,
    mo: EXAMPLE.mo,
  });
});

Deno.test("parseHttpRoute() fills in the defaults", () => {
  const c = parseHttpRoute({ name: "uk", url: "https://sms.example/send" }, "routes[0]");
  assert.deepEqual(c, {
    name: "uk",
    url: "https://sms.example/send",
    method: "POST",
    format: "json",
    headers: {},
    params: {},
    timeoutMs: 10_000,
    tps: 0,
    concurrency: 10,
    concat: "join",
    retry: RETRY_DEFAULTS,
  });
  assert.equal(HTTP_ROUTE_DEFAULTS.timeoutMs, 10_000);
  assert.equal(parseHttpRoute({ name: "g", url: URL_, method: "GET" }, "r").format, "query");
  assert.equal(parseHttpRoute({ name: "q", url: URL_, format: "query" }, "r").method, "POST");
  const r = parseHttpRoute({ name: "p", url: URL_, retry: { maxAttempts: 2 } }, "r").retry;
  assert.deepEqual(r, { ...RETRY_DEFAULTS, maxAttempts: 2 });
});

Deno.test("parseHttpRoute() names the bad key", () => {
  assert.throws(
    () => parseHttpRoute([], "routes[0]"),
    /^ConfigError: routes\[0\]: must be an object/,
  );
  bad({ url: undefined }, /^routes\[0\]\.url: required/);
  for (const url of ["ftp://x", "127.0.0.1:9000", "http://", "http://a b", 5]) {
    bad({ url }, /^routes\[0\]\.url: must be an http\(s\) URL/);
  }
  bad({ colour: "red" }, /^routes\[0\]\.colour: unknown key/);
  bad({ method: "DELETE" }, /^routes\[0\]\.method: must be GET, POST or PUT/);
  bad({ format: "xml" }, /^routes\[0\]\.format: must be json, form or query/);
  bad({ method: "GET", format: "json" }, /^routes\[0\]\.format: a GET sends/);
  bad({ headers: "x" }, /^routes\[0\]\.headers: must be an object/);
  bad({ headers: { "X-N": 1 } }, /^routes\[0\]\.headers\.X-N: must be a string/);
  bad({ params: ["{id}"] }, /^routes\[0\]\.params: must be an object/);
  bad({ params: { to: null } }, /^routes\[0\]\.params\.to: must be a string/);
  bad({ providerId: "" }, /^routes\[0\]\.providerId: must be/);
  bad({ timeoutMs: 0 }, /^routes\[0\]\.timeoutMs: must be a number/);
  bad({ timeoutMs: "5s" }, /^routes\[0\]\.timeoutMs: must be a number/);
  bad({ tps: -1 }, /^routes\[0\]\.tps: must be a number/);
  bad({ concurrency: 0 }, /^routes\[0\]\.concurrency: must be a number from 1/);
  bad({ concurrency: 2.5 }, /^routes\[0\]\.concurrency: must be a whole number/);
  bad({ retry: 3 }, /^routes\[0\]\.retry: must be an object/);
  bad({ retry: { tries: 3 } }, /^routes\[0\]\.retry\.tries: unknown key/);
  bad({ retry: { baseMs: 0 } }, /^routes\[0\]\.retry\.baseMs: must be a number/);
  bad({ retry: { baseMs: 10, maxMs: 5 } }, /^routes\[0\]\.retry\.maxMs: must not be below baseMs/);
  bad({ retry: { maxAttempts: 1.5 } }, /^routes\[0\]\.retry\.maxAttempts: must be a whole number/);
});

Deno.test("parseHttpRoute() names the bad key of dlr and mo", () => {
  const dlr = (o: Record<string, unknown>) => ({
    dlr: { id: "ref", status: "status", stat: { ok: "DELIVRD" }, ...o },
  });
  bad({ dlr: true }, /^routes\[0\]\.dlr: must be an object/);
  bad(dlr({ id: undefined }), /^routes\[0\]\.dlr\.id: required/);
  bad(dlr({ status: undefined }), /^routes\[0\]\.dlr\.status: required/);
  bad(dlr({ status: 7 }), /^routes\[0\]\.dlr\.status: must be/);
  bad(dlr({ err: "" }), /^routes\[0\]\.dlr\.err: must be/);
  bad(dlr({ stat: undefined }), /^routes\[0\]\.dlr\.stat: required/);
  bad(dlr({ stat: { ok: "FINE" } }), /^routes\[0\]\.dlr\.stat\.ok: must be one of DELIVRD/);
  bad(dlr({ token: "" }), /^routes\[0\]\.dlr\.token: must be a string, not empty/);
  bad(dlr({ extra: 1 }), /^routes\[0\]\.dlr\.extra: unknown key/);
  const mo = (o: Record<string, unknown>) => ({
    mo: { from: "from", to: "to", text: "text", ...o },
  });
  bad({ mo: "yes" }, /^routes\[0\]\.mo: must be an object/);
  for (const k of ["from", "to", "text"]) {
    bad(mo({ [k]: undefined }), new RegExp(`^routes\\[0\\]\\.mo\\.${k}: required`));
  }
  bad(mo({ token: 12345678 }), /^routes\[0\]\.mo\.token: must be a string/);
  bad(mo({ body: "b" }), /^routes\[0\]\.mo\.body: unknown key/);
});

Deno.test("parseHttpRoute() takes {tlv.NAME}, {tlv.0xNNNN} and {tlvs}, and names the param with a {tlv.…} of no TLV", () => {
  const params = {
    p: "{tlv.source_port}",
    c: "+{tlv.callback_num}",
    u: "{tlv.0x1400}",
    a: "{tlvs}",
  };
  assert.deepEqual(parseHttpRoute({ name: "uk", url: URL_, params }, "routes[0]").params, params);
  bad(
    { params: { to: "{dest}", port: "{tlv.nosuch}" } },
    /^routes\[0\]\.params\.port: \{tlv\.nosuch\} names no TLV/,
  );
  bad({ params: { big: "{tlv.0x10000}" } }, /^routes\[0\]\.params\.big: \{tlv\.0x10000\} names/);
  bad(
    { params: { body: "{tlv.message_payload}" } },
    /^routes\[0\]\.params\.body: \{tlv\.message_payload\}: message_payload is not passed to routes/,
  );
  bad({ params: { seq: "{tlv.sar_segment_seqnum}" } }, /^routes\[0\]\.params\.seq: .*not passed/);
});
