/**
 * `main.ts serve` as a child process for end-to-end tests (crash, split brain, memory, Bun, the
 * standalone binary).
 */
import { within } from "./client.ts";
import { bunPath } from "./bun.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const MAX_OUTPUT = 64 * 1024;

/**
 * What runs the gateway: `deno run -A main.ts`, `bun main.ts`, or a standalone executable
 * (`deno task build`'s `dist/smppgw`) given by its path.
 */
export type GatewayRuntime = "deno" | "bun" | { binary: string };

/** The program and first arguments that run `main.ts` on `runtime` (the command comes next). */
export async function mainCommand(runtime: GatewayRuntime): Promise<[string, string[]]> {
  if (runtime === "deno") return [Deno.execPath(), ["run", "-A", MAIN]];
  if (runtime === "bun") return [await bunPath(), [MAIN]];
  return [runtime.binary, []];
}

/** `main.ts serve` as a child process, with its output collected. */
export class GatewayProcess {
  readonly #child: Deno.ChildProcess;
  readonly #pumps: Promise<void>;
  readonly #listening = Promise.withResolvers<number>();
  #outputWaiters: (() => void)[] = [];
  #output = "";
  port = 0;
  /** The listening line (addresses of SMPP, TLS and HTTP). */
  banner = "";

  /** The TLS port of the listening line (0 when TLS is off). */
  get tlsPort(): number {
    return Number(this.banner.match(/SMPP over TLS on [^\s:]+:(\d+)/)?.[1] ?? 0);
  }

  /** The HTTP port of the listening line. */
  get httpPort(): number {
    return Number(this.banner.match(/HTTP on [^\s:]+:(\d+)/)?.[1] ?? 0);
  }

  /** The child's process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Sends a signal without waiting (e.g. SIGSTOP / SIGCONT). */
  signal(signal: Deno.Signal) {
    this.#child.kill(signal);
  }

  /** The exit status, once the process has exited. */
  get status(): Promise<Deno.CommandStatus> {
    return this.#child.status;
  }

  private constructor(
    [program, main]: [string, string[]],
    args: string[],
    env?: Record<string, string>,
  ) {
    this.#child = new Deno.Command(program, {
      // Any free HTTP port unless the test picks one (8775 would clash between parallel tests).
      args: [
        ...main,
        "serve",
        ...(args.includes("--http-port") ? [] : ["--http-port", "0"]),
        ...args,
      ],
      cwd: ROOT,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#pumps = Promise.all([this.#pump(this.#child.stdout), this.#pump(this.#child.stderr)])
      .then(() => this.#listening.reject(new Error("gateway exited before listening")));
    this.#listening.promise.catch(() => {});
  }

  async #pump(stream: ReadableStream<Uint8Array>) {
    try {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        this.#output = (this.#output + text).slice(-MAX_OUTPUT);
        for (const w of this.#outputWaiters.splice(0)) w();
        const m = this.#output.match(/smppgw listening for SMPP on [^\s:]+:(\d+)[^\n]*\n/);
        if (m && !this.banner) {
          this.banner = m[0].trim();
          this.#listening.resolve(Number(m[1]));
        }
      }
    } catch { /* process gone */ }
  }

  /** Resolves the first match of `re` in the output, waiting for it at most `timeoutMs`. */
  async waitOutput(re: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.#output.match(re);
      if (m) return m;
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#outputWaiters.push(resolve);
      await within(Promise.race([promise, this.#pumps]), deadline - Date.now(), `output ${re}`);
      if (!this.#outputWaiters.includes(resolve)) continue;
      throw new Error(`the gateway exited without printing ${re}\n${this.#output}`);
    }
  }

  /** Output so far (stdout and stderr, the last 64 KiB). */
  get output(): string {
    return this.#output;
  }

  /**
   * Spawns the gateway on `runtime` (with extra environment variables `env`) and waits for its
   * listening line.
   */
  static async start(
    args: string[],
    timeoutMs = 30_000,
    env?: Record<string, string>,
    runtime: GatewayRuntime = "deno",
  ): Promise<GatewayProcess> {
    const p = new GatewayProcess(await mainCommand(runtime), args, env);
    try {
      p.port = await within(p.#listening.promise, timeoutMs, "gateway startup");
    } catch (e) {
      await p.stop("SIGKILL");
      throw new Error(`${(e as Error).message}\n--- gateway output ---\n${p.output}`);
    }
    return p;
  }

  /** Sends `signal` (if still running) and waits for the exit and the end of its output. */
  async stop(signal: Deno.Signal, timeoutMs = 10_000): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill(signal);
    } catch { /* already exited */ }
    let status: Deno.CommandStatus;
    try {
      status = await within(this.#child.status, timeoutMs, `gateway exit after ${signal}`);
    } catch (e) {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* exited meanwhile */ }
      await this.#child.status;
      await this.#pumps;
      throw e;
    }
    await this.#pumps;
    return status;
  }
}
