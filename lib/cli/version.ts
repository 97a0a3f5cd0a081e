/** `main.ts version`: the program's version (one source, lib/core/version.ts) and the runtime's. */
import { VERSION } from "../core/version.ts";

/** The runtime's name, version and engine (`runtime.version` of lib/runtime.ts). */
export interface RuntimeVersion {
  /** "deno" or "bun". */
  name: string;
  /** e.g. "2.5.0". */
  version: string;
  /** e.g. "v8 14.0, typescript 5.9.2". */
  engine: string;
}

/** `main.ts version --help`. */
export const VERSION_HELP = `Usage: npx -y deno@2 run -A main.ts version

Prints the version of smppgw, then the runtime it runs on: Deno with its V8 and TypeScript
versions, or Bun with its JavaScriptCore revision.`;

/**
 * The output of `main.ts version`.
 *
 * @example
 * ```ts
 * import { versionText } from "./version.ts";
 * console.log(versionText({ name: "deno", version: "2.5.0", engine: "v8 14.0, typescript 5.9.2" }));
 * // smppgw 0.10.0
 * // deno 2.5.0 (v8 14.0, typescript 5.9.2)
 * ```
 */
export function versionText(runtime: RuntimeVersion): string {
  return `smppgw ${VERSION}\n${runtime.name} ${runtime.version} (${runtime.engine})`;
}
