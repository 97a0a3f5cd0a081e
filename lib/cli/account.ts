/**
 * `main.ts account …`: manage accounts of a running gateway through its admin API (`--url`,
 * `--token` or SMPPGW_ADMIN_TOKEN), or of a stopped gateway's store (`--kv PATH`).
 */
import { AccountAdmin, type AccountView, AdminError } from "../accounts/admin.ts";
import type { Store } from "../store/store.ts";
import { ExitError } from "./errors.ts";
import { parseCommand } from "./flags.ts";
import { adminRequest } from "./admin_client.ts";

/** What `account` can do, through the API or on the store directly. */
export interface AccountBackend {
  list(): Promise<AccountView[]>;
  get(systemId: string): Promise<AccountView>;
  create(body: unknown): Promise<AccountView>;
  update(systemId: string, body: unknown): Promise<AccountView>;
  remove(systemId: string): Promise<void>;
}

/** A command-line mistake (exit code 2) or a refused request (1): printed as one line. */
export class CliError extends ExitError {
  /** `code` is the exit code. */
  constructor(message: string, code = 2) {
    super(message, code);
    this.name = "CliError";
  }
}

/** `main.ts account --help`. */
export const ACCOUNT_HELP = `Usage: npx -y deno@2 run -A main.ts account <command> [options]

Commands:
  list                          every account
  show <systemId>               one account (JSON)
  add <systemId> --password P   create an account (settings as below)
  update <systemId> [settings]  change settings
  passwd <systemId> --password P
  disable <systemId>            refuse its binds and close its sessions
  enable <systemId>
  remove <systemId>             delete it and close its sessions

Settings: --max-sessions N --window N --tps N --burst N --daily-quota N
          --source-addr REGEX (repeatable) --allowed-ip ADDR (repeatable) --gsm-packed true|false

Where:
  --url URL      a running gateway's HTTP port (default http://127.0.0.1:8775), with
  --token T      its admin token (default: SMPPGW_ADMIN_TOKEN)
  --kv PATH      or a stopped gateway's KV file (refused while a gateway runs on it)`;

const NUMBERS = {
  "max-sessions": "maxSessions",
  window: "window",
  tps: "tps",
  burst: "burst",
  "daily-quota": "dailyQuota",
} as const;

/** An admin API client as an {@link AccountBackend}. */
export function httpAccounts(url: string, token: string, fetchFn: typeof fetch): AccountBackend {
  const call = <T>(method: string, path: string, body?: unknown) =>
    adminRequest<T>({ url, token, fetch: fetchFn }, method, `/accounts${path}`, body);
  const id = (s: string) => `/${encodeURIComponent(s)}`;
  return {
    list: () => call("GET", ""),
    get: (s) => call("GET", id(s)),
    create: (b) => call("POST", "", b),
    update: (s, b) => call("PATCH", id(s), b),
    remove: (s) => call("DELETE", id(s)),
  };
}

/** The store used directly (inside `withOfflineStore`). */
export function storeAccounts(store: Store): AccountBackend {
  const admin = new AccountAdmin(store, () => {});
  const wrap = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A) => {
    try {
      return await f(...a);
    } catch (e) {
      if (e instanceof AdminError) {
        throw new CliError(`${e.message}${e.path ? ` (${e.path})` : ""}`, 1);
      }
      throw e;
    }
  };
  return {
    list: wrap(() => admin.list()),
    get: wrap((s: string) => admin.get(s)),
    create: wrap((b: unknown) => admin.create(b)),
    update: wrap((s: string, b: unknown) => admin.update(s, b)),
    remove: wrap((s: string) => admin.remove(s)),
  };
}

/** Parsed `account` arguments. */
export interface AccountArgs {
  command: string;
  systemId?: string;
  /** The request body of add/update/passwd/disable/enable. */
  body: Record<string, unknown>;
  url: string;
  token?: string;
  kv?: string;
  help: boolean;
}

/** Parses `account` arguments; throws CliError naming the problem. */
export function parseAccountArgs(args: string[]): AccountArgs {
  const parsed = parseCommand("account", args, {
    url: { type: "string" },
    token: { type: "string" },
    kv: { type: "string" },
    password: { type: "string" },
    "source-addr": { type: "string", multiple: true },
    "allowed-ip": { type: "string", multiple: true },
    "gsm-packed": { type: "string" },
    ...Object.fromEntries(Object.keys(NUMBERS).map((k) => [k, { type: "string" as const }])),
    help: { type: "boolean", short: "h" },
  });
  const v = parsed.flags;
  const [command = "", systemId, ...extra] = parsed.positionals;
  if (v.help || command === "help") {
    return { command: "help", body: {}, url: "", help: true };
  }
  const known = ["list", "show", "add", "update", "passwd", "disable", "enable", "remove"];
  if (!known.includes(command)) {
    throw new CliError(
      command
        ? `unknown account command "${command}"`
        : `missing account command (${known.join(", ")})`,
    );
  }
  if (command !== "list" && !systemId) throw new CliError(`account ${command} needs a systemId`);
  if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}"`);
  const body: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(NUMBERS)) {
    const s = v[flag] as string | undefined;
    if (s === undefined) continue;
    const n = Number(s);
    if (s.trim() === "" || !Number.isFinite(n)) {
      throw new CliError(`--${flag} must be a number, got "${s}"`);
    }
    body[key] = n;
  }
  if (v["source-addr"]) body.sourceAddrs = v["source-addr"];
  if (v["allowed-ip"]) body.allowedIps = v["allowed-ip"];
  if (v["gsm-packed"] !== undefined) {
    if (v["gsm-packed"] !== "true" && v["gsm-packed"] !== "false") {
      throw new CliError(`--gsm-packed must be true or false`);
    }
    body.gsmPacked = v["gsm-packed"] === "true";
  }
  if (v.password !== undefined) body.password = v.password;
  if (command === "add") body.systemId = systemId;
  if ((command === "add" || command === "passwd") && body.password === undefined) {
    throw new CliError(`account ${command} needs --password`);
  }
  if (command === "passwd" && Object.keys(body).length > 1) {
    throw new CliError("account passwd takes only --password");
  }
  if (command === "disable" || command === "enable") body.disabled = command === "disable";
  return {
    command,
    systemId,
    body,
    url: (v.url as string | undefined) ?? "http://127.0.0.1:8775",
    token: v.token as string | undefined,
    kv: v.kv as string | undefined,
    help: false,
  };
}

/** One line per account: the settings that are set. */
export function formatAccounts(list: readonly AccountView[]): string {
  if (list.length === 0) return "(no accounts)";
  return list.map((a) => {
    const extra = Object.entries(a)
      .filter(([k, v]) => !["systemId", "source", "disabled"].includes(k) && v !== undefined)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") || "-" : v}`);
    return `${a.systemId.padEnd(16)}${a.disabled ? "disabled " : "enabled  "}${
      a.source.padEnd(7)
    }` +
      extra.join(" ");
  }).join("\n");
}

/** Runs a parsed `account` command on `backend`; returns what to print. */
export async function runAccount(a: AccountArgs, backend: AccountBackend): Promise<string> {
  const id = a.systemId!;
  switch (a.command) {
    case "list":
      return formatAccounts(await backend.list());
    case "show":
      return JSON.stringify(await backend.get(id), null, 2);
    case "add":
      await backend.create(a.body);
      return `account ${id} created`;
    case "update":
      if (Object.keys(a.body).length === 0) throw new CliError("account update: nothing to change");
      return JSON.stringify(await backend.update(id, a.body), null, 2);
    case "passwd":
      await backend.update(id, a.body);
      return `password of ${id} changed`;
    case "disable":
    case "enable":
      await backend.update(id, a.body);
      return `account ${id} ${a.command}d`;
    case "remove":
      await backend.remove(id);
      return `account ${id} removed`;
    default:
      throw new CliError(`unknown account command "${a.command}"`);
  }
}
