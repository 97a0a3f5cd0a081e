/**
 * The bench's side of a server under test running in its own process: spawns it, learns its port,
 * asks for its counters, reads its CPU time and memory from /proc, and stops it (SIGKILL when it
 * has not exited 10 s after being asked). Every wait is bounded. The server side of the line
 * protocol is bench/protocol.ts; the reference server (no protocol) is started and stopped with
 * signals.
 */
import { within } from "./client.ts";
import { lineReader } from "./protocol.ts";
import { bunPath } from "../tests/support/bun.ts";

const START_MS = 30_000;
const STATS_MS = 10_000;
const EXIT_MS = 10_000;

let ticksPerSecond = 100;
let ticksKnown = false;

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, else 100). */
async function learnTicks(): Promise<void> {
  if (ticksKnown) return;
  ticksKnown = true;
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    if (out.success && n > 0) ticksPerSecond = n;
  } catch { /* no getconf: keep 100 */ }
}

/** A TCP port that was free a moment ago (listen on port 0, then close). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** CPU seconds (user + system, all threads) process `pid` has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after "(comm)" start at field 3; utime and stime are fields 14 and 15.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond;
}

/** A running server process. */
export class Child {
  readonly #proc: Deno.ChildProcess;
  readonly #writer?: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines?: AsyncIterator<string>;
  /** Its name in the output, e.g. "smppgw". */
  readonly name: string;
  readonly port: number;

  private constructor(
    name: string,
    proc: Deno.ChildProcess,
    port: number,
    lines?: AsyncIterator<string>,
  ) {
    this.name = name;
    this.#proc = proc;
    this.port = port;
    this.#lines = lines;
    this.#writer = lines ? proc.stdin.getWriter() : undefined;
  }

  /**
   * Starts a protocol server (`script` beside this file) on Deno, or on Bun, and waits for its
   * port.
   */
  static async start(
    name: string,
    script: string,
    args: string[],
    runtime: "deno" | "bun" = "deno",
  ): Promise<Child> {
    await learnTicks();
    const path = new URL(script, import.meta.url).pathname;
    const [program, first] = runtime === "bun"
      ? [await bunPath(), [path]]
      : [Deno.execPath(), ["run", "--allow-all", "--unstable-kv", path]];
    const proc = new Deno.Command(program, {
      args: [...first, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = jsonLines(proc.stdout);
    try {
      const first = await within(lines.next(), START_MS, `${name} start`);
      if (first.done) throw new Error(`${name} exited before listening`);
      return new Child(name, proc, JSON.parse(first.value).port, lines);
    } catch (e) {
      await stop(proc);
      throw e;
    }
  }

  /** Starts the reference server (../shared/reference/deno-kv-smsc.ts) on a fresh KV file. */
  static async startReference(path: string, kvPath: string): Promise<Child> {
    await learnTicks();
    const port = freePort();
    const proc = new Deno.Command(Deno.execPath(), {
      args: [
        ...["run", "--unstable-kv", "--allow-net", "--allow-read", "--allow-write", path],
        ...["--port", String(port), "--persist", "batch", "--inflight", "2"],
        ...["--db", kvPath, "--fresh", "--system-id", "bench", "--password", "bench"],
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const lines = lineReader(proc.stderr);
    try {
      const ready = (async () => {
        for (let r = await lines.next(); !r.done; r = await lines.next()) {
          if (r.value.includes("listening")) return;
          console.error(`[reference] ${r.value}`);
        }
        throw new Error("reference exited before listening");
      })();
      await within(ready, START_MS, "reference start");
    } catch (e) {
      await stop(proc);
      throw e;
    }
    // Keep its stderr drained (and visible).
    (async () => {
      for await (const line of lines) console.error(`[reference] ${line}`);
    })().catch(() => {});
    return new Child("reference", proc, port);
  }

  /** The process id. */
  get pid(): number {
    return this.#proc.pid;
  }

  /** CPU seconds (user + system, all threads) the process has used so far. */
  cpuSeconds(): number {
    return cpuSecondsOf(this.pid);
  }

  /** Resident set size in bytes (VmRSS), NaN once the process is gone. */
  rss(): number {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${this.pid}/status`));
      return m ? Number(m[1]) * 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  /** Samples the RSS every 100 ms until `stop()`, which returns the peak (bytes). */
  sampleRss(): { stop(): number } {
    let peak = this.rss();
    const timer = setInterval(() => {
      const r = this.rss();
      if (r > peak) peak = r;
    }, 100);
    return {
      stop: () => {
        clearInterval(timer);
        return Math.max(peak, this.rss() || 0);
      },
    };
  }

  /** The server's counters (plus `rss`); empty for a server without the protocol. */
  async stats(): Promise<Record<string, number>> {
    if (!this.#writer || !this.#lines) return {};
    await within(this.#writer.write(new TextEncoder().encode("stats\n")), STATS_MS, "stats");
    const r = await within(this.#lines.next(), STATS_MS, `${this.name} stats`);
    if (r.done) throw new Error(`${this.name} exited`);
    return JSON.parse(r.value);
  }

  /** Asks the server to close (a signal without the protocol); SIGKILL after 10 s. */
  async close(): Promise<void> {
    if (this.#writer) {
      try {
        await within(this.#writer.write(new TextEncoder().encode("close\n")), 1000, "close");
        await within(this.#writer.close(), 1000, "stdin close");
      } catch { /* gone already, or stuck: stop() kills it */ }
    }
    await stop(this.#proc, this.#writer ? undefined : "SIGTERM");
  }
}

/** Waits up to 10 s for `proc` to exit (after `signal`, if given), then kills it. */
async function stop(proc: Deno.ChildProcess, signal?: Deno.Signal): Promise<void> {
  try {
    if (signal) proc.kill(signal);
  } catch { /* exited */ }
  try {
    await within(proc.status, EXIT_MS, "server exit");
  } catch {
    try {
      proc.kill("SIGKILL");
    } catch { /* exited meanwhile */ }
    await within(proc.status, EXIT_MS, "server exit after SIGKILL").catch(() => {});
  }
}

/** The JSON lines of a protocol server's stdout (anything else it prints is passed through). */
async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  for await (const line of lineReader(stream)) {
    if (line.startsWith("{")) yield line;
    else if (line.trim()) console.error(line);
  }
}
