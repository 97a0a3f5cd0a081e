/**
 * Run under Bun by tests: `bun tests/support/bun_connect_probe.ts PORT [CA_FILE]` connects to
 * 127.0.0.1:PORT over TLS with lib/bun.ts (trusting CA_FILE when given), sends enquire_link and
 * prints `enquire_link_resp STATUS`, or `error: MESSAGE` (exit 1).
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { connect } from "../../lib/bun.ts";
import { decode, encode } from "../../lib/smpp/codec.ts";

const [port, caFile] = process.argv.slice(2);
try {
  const conn = await connect({
    hostname: "127.0.0.1",
    port: Number(port),
    tls: true,
    caCerts: caFile ? [readFileSync(caFile, "utf8")] : undefined,
  });
  await conn.write(encode({ command: "enquire_link", seq: 1 }));
  const buf = new Uint8Array(16);
  let n = 0;
  while (n < 16) {
    const r = await conn.read(buf.subarray(n));
    if (r === null) throw new Error("closed before the response");
    n += r;
  }
  const pdu = decode(buf);
  console.log(`${pdu.command} ${pdu.status}`);
  conn.close();
  process.exit(0);
} catch (e) {
  console.log(`error: ${(e as Error).message}`);
  process.exit(1);
}
