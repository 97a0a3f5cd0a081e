/**
 * `main.ts trace <message-id>`: a message's life, from a running gateway's admin API (`--url`,
 * `--token`) or a stopped gateway's store (`--kv PATH`).
 */
import type { MessageView, TraceEvent } from "../delivery/views.ts";
import { CliError } from "./account.ts";
import { parseCommand } from "./flags.ts";
import { adminRequest } from "./admin_client.ts";

/** `main.ts trace --help`. */
export const TRACE_HELP =
  `Usage: npx -y deno@2 run -A main.ts trace <message-id> [--url URL --token T | --kv PATH]

Prints a message's life: received, routed, handed over, final state, receipt queued, sent and
acknowledged.
  --url URL   a running gateway's HTTP port (default http://127.0.0.1:8775)
  --token T   its admin token (default: SMPPGW_ADMIN_TOKEN)
  --kv PATH   or a stopped gateway's KV file`;

/** Parsed `trace` arguments. */
export interface TraceArgs {
  id: string;
  url: string;
  token?: string;
  kv?: string;
}

/** Parses `trace` arguments ("help" for --help); throws CliError naming the problem. */
export function parseTraceArgs(args: string[]): TraceArgs | "help" {
  const parsed = parseCommand("trace", args, {
    url: { type: "string" },
    token: { type: "string" },
    kv: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const v = parsed.flags as Record<string, string | undefined>;
  if (parsed.flags.help) return "help";
  const [id, ...extra] = parsed.positionals;
  if (!id) throw new CliError("trace needs a message id");
  if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}"`);
  return {
    id,
    url: v.url ?? "http://127.0.0.1:8775",
    token: v.token,
    kv: v.kv,
  };
}

/** A message's trace as printed. */
export function formatTrace(t: { message: MessageView; events: TraceEvent[] }): string {
  const m = t.message;
  const head = `message ${m.id} (${m.account}, ${m.source} → ${m.dest}, route ${m.route}): ` +
    `${m.state}${m.stat !== "ENROUTE" ? ` stat:${m.stat} err:${m.err}` : ""}`;
  const lines = t.events.map((e) =>
    `  ${(e.at ?? "").padEnd(24)} ${e.event.padEnd(21)} ${e.detail}`
  );
  return [head, ...lines].join("\n");
}

/** Reads a trace from the admin API. */
export function fetchTrace(
  url: string,
  token: string,
  id: string,
  fetchFn: typeof fetch,
): Promise<{ message: MessageView; events: TraceEvent[] }> {
  return adminRequest(
    { url, token, fetch: fetchFn },
    "GET",
    `/messages/${encodeURIComponent(id)}/trace`,
  );
}
