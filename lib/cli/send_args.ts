/** The flags of `main.ts send` and their checks. */
import { LISTEN_DEFAULTS } from "../core/defaults.ts";
import { UsageError } from "./errors.ts";
import { type FlagSpec, oneOf, parseFlags, portValue, secondsValue } from "./flags.ts";

/** Codings `--coding` accepts. */
export const CODINGS = ["gsm", "ucs2", "latin1"] as const;

/** A coding `send` can use. */
export type SendCoding = typeof CODINGS[number];

/** What `send` does. */
export interface SendOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  /** destination_addr. */
  to: string;
  /** source_addr ("" when not given). */
  from: string;
  text: string;
  /** The coding asked for; without it GSM 7-bit when every character fits, else UCS2. */
  coding?: SendCoding;
  /** Ask for receipts and wait for them. */
  dlr: boolean;
  tls: boolean;
  /** Longest wait for the connection, each response, and the receipts. */
  timeoutMs: number;
}

const SPEC: FlagSpec = {
  host: { type: "string" },
  port: { type: "string" },
  "system-id": { type: "string" },
  password: { type: "string" },
  to: { type: "string" },
  from: { type: "string" },
  text: { type: "string" },
  coding: { type: "string" },
  dlr: { type: "boolean" },
  tls: { type: "boolean" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** `main.ts send --help`. */
export const SEND_HELP =
  `Usage: npx -y deno@2 run -A main.ts send --system-id S --password P --to DEST --text TEXT [options]

Binds to an SMSC (any SMPP 3.4 server, this gateway or another) as a transceiver, submits one
message (long text split into concatenated parts), prints each message id, and unbinds. With
--dlr it asks for delivery receipts, shows how many arrived on stderr, and prints each one.
Exit code 0 when every part was accepted (and with --dlr, every receipt is DELIVRD), 1 when not,
2 on bad input.

Options:
  --host ADDR        SMSC address (default ${LISTEN_DEFAULTS.host})
  --port N           SMSC port (default ${LISTEN_DEFAULTS.port})
  --system-id S      system_id to bind with (required)
  --password P       password (required)
  --to DEST          destination_addr (required)
  --from SRC         source_addr (default empty: the SMSC chooses)
  --text TEXT        the message (required)
  --coding C         gsm, ucs2 or latin1 (default gsm when every character fits, else ucs2)
  --dlr              ask for delivery receipts and wait for them
  --tls              connect with TLS
  --timeout SEC      longest wait for the connection, each response and the receipts (default 30)
  -h, --help         show this help`;

function required(flags: Record<string, unknown>, name: string): string {
  const v = flags[name];
  if (typeof v !== "string" || v === "") {
    throw new UsageError(`send: --${name} is required (see "main.ts send --help")`);
  }
  return v;
}

function address(flag: string, v: string, max: number): string {
  if (v.length > max || /[^\x20-\x7e]/.test(v)) {
    throw new UsageError(`send: --${flag} must be at most ${max} printable ASCII characters`);
  }
  return v;
}

/**
 * Parses the flags of `send`; "help" when `--help` was given. Bad input throws a UsageError.
 *
 * @example
 * ```ts
 * import { parseSendArgs } from "./send_args.ts";
 * const o = parseSendArgs(["--system-id", "acme", "--password", "pw", "--to", "4477", "--text", "Hi"]);
 * console.log(o !== "help" && o.port); // 2775
 * ```
 */
export function parseSendArgs(args: string[]): SendOptions | "help" {
  const f = parseFlags("send", args, SPEC);
  if (f.help) return "help";
  const str = (name: string) => typeof f[name] === "string" ? f[name] as string : undefined;
  return {
    host: str("host") ?? LISTEN_DEFAULTS.host,
    port: str("port") === undefined
      ? LISTEN_DEFAULTS.port
      : portValue("send: --port", str("port")!),
    systemId: address("system-id", required(f, "system-id"), 15),
    password: address("password", required(f, "password"), 8),
    to: address("to", required(f, "to"), 20),
    from: address("from", str("from") ?? "", 20),
    text: required(f, "text"),
    coding: str("coding") === undefined
      ? undefined
      : oneOf("send: --coding", str("coding")!, CODINGS),
    dlr: f.dlr === true,
    tls: f.tls === true,
    timeoutMs: secondsValue("send: --timeout", str("timeout") ?? "30", 3600) * 1000,
  };
}
