/** `main.ts serve` as a child process for end-to-end tests (crash, split brain, memory). */
import { within } from "./client.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const MAX_OUTPUT = 64 * 1024;

/** `main.ts serve` as a child process, with its output collected. */
export class GatewayProcess {
  readonly #child: Deno.ChildProcess;
  readonly #pumps: Promise<void>;
  readonly #listening = Promise.withResolvers<number>();
  #output = "";
  port = 0;

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

  private constructor(args: string[], env?: Record<string, string>) {
    this.#child = new Deno.Command(Deno.execPath(), {
      // Any free HTTP port unless the test picks one (8775 would clash between parallel tests).
      args: [
        "run",
        "-A",
        MAIN,
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
        const m = this.#output.match(/smppgw listening for SMPP on [^\s:]+:(\d+)/);
        if (m) this.#listening.resolve(Number(m[1]));
      }
    } catch { /* process gone */ }
  }

  /** Output so far (stdout and stderr, the last 64 KiB). */
  get output(): string {
    return this.#output;
  }

  /** Spawns the gateway (with extra environment variables `env`) and waits for its listening line. */
  static async start(
    args: string[],
    timeoutMs = 30_000,
    env?: Record<string, string>,
  ): Promise<GatewayProcess> {
    const p = new GatewayProcess(args, env);
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
