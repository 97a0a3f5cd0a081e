/**
 * The line protocol between the bench and a server under test running in its own process
 * (bench/serve_gateway.ts, bench/serve_npm.ts). The server prints one JSON line
 * `{"port":N,"pid":P}` on stdout once it listens, then reads stdin lines: `stats` is answered with
 * one JSON line of its counters plus `rss` (bytes); `close` or the end of stdin closes the server
 * (bounded) and the process exits 0. The bench side is bench/child.ts. The server side runs on
 * Deno or Bun (it uses `node:process` only).
 */
import { Readable } from "node:stream";
import process from "node:process";

/** The account every scenario binds as (the gateway creates it; the other servers accept it). */
export const ACCOUNT = { systemId: "bench", password: "bench" };

/** How long a server may take to close before it exits anyway (the bench kills it at 10 s). */
const CLOSE_MS = 8000;

/** Splits a byte stream into text lines (without the newline). */
export async function* lineReader(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let i;
    while ((i = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, i);
      rest = rest.slice(i + 1);
    }
  }
  if (rest) yield rest;
}

/** The server side: announces `port`, serves `stats` until `close` or EOF, then closes and exits. */
export async function serveChild(
  port: number,
  stats: () => Record<string, number>,
  close: () => Promise<void>,
): Promise<never> {
  console.log(JSON.stringify({ port, pid: process.pid }));
  const stdin = Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>;
  for await (const line of lineReader(stdin)) {
    const cmd = line.trim();
    if (cmd === "stats") {
      console.log(JSON.stringify({ ...stats(), rss: process.memoryUsage().rss }));
    }
    if (cmd === "close") break;
  }
  let t: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    close().catch((e) => console.error("close failed:", e)),
    new Promise<void>((resolve) => t = setTimeout(resolve, CLOSE_MS)),
  ]);
  clearTimeout(t);
  process.exit(0);
}
