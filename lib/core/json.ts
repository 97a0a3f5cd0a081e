/** JSON parsing that keeps large integers exact (19-digit message ids do not fit a double). */

/**
 * `JSON.parse`, except that an integer beyond `Number.MAX_SAFE_INTEGER` comes back as the string
 * of its digits (so an id like 1795919959193000000 is not rounded).
 *
 * @example
 * ```ts
 * import { parseJson } from "./json.ts";
 * console.log(parseJson('{"ref": 1795919959193000000}')); // { ref: "1795919959193000000" }
 * ```
 */
export function parseJson(text: string): unknown {
  return JSON.parse(
    text,
    // deno-lint-ignore no-explicit-any
    function (_key, value, context?: any) {
      if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
      const source = context?.source;
      return typeof source === "string" && /^-?\d+$/.test(source) ? source : value;
    },
  );
}
