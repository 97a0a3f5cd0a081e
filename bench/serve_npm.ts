/**
 * The npm `smpp` server (bench/npm_server.ts: OK to binds, counter message ids, a receipt right
 * after each submit_sm_resp that asks for one, nothing stored) in its own process, speaking the
 * bench's line protocol (bench/protocol.ts): `serve_npm.ts`.
 */
import { startNpmServer } from "./npm_server.ts";
import { serveChild } from "./protocol.ts";

if (import.meta.main) {
  const npm = await startNpmServer();
  await serveChild(npm.port, () => npm.stats(), () => npm.close());
}
