/** `main.ts version`: the program's version (one source, lib/core/version.ts) and the runtime's. */
import { VERSION } from "../core/version.ts";

/** The runtime's versions, as `Deno.version` gives them. */
export interface RuntimeVersion {
  deno: string;
  v8: string;
  typescript: string;
}

/** `main.ts version --help`. */
export const VERSION_HELP = `Usage: npx -y deno@2 run -A main.ts version

Prints the version of smppgw, then the versions of Deno, V8 and TypeScript it runs on.`;

/**
 * The output of `main.ts version`.
 *
 * @example
 * ```ts
 * import { versionText } from "./version.ts";
 * console.log(versionText({ deno: "2.5.0", v8: "14.0", typescript: "5.9.2" }));
 * // smppgw 0.10.0
 * // deno 2.5.0 (v8 14.0, typescript 5.9.2)
 * ```
 */
export function versionText(runtime: RuntimeVersion): string {
  return `smppgw ${VERSION}\ndeno ${runtime.deno} (v8 ${runtime.v8}, typescript ${runtime.typescript})`;
}
