/**
 * The checks of the config file and the admin API's bodies: zod schemas that carry this project's
 * messages, and the one formatter that turns zod's issues into {@link ConfigProblem}s, each
 * `path: message` with the path written as in the file (`accounts[0].password`,
 * `routes[0].dlr.stat.ok`). Problems are listed in the order their keys appear in the input.
 */
import { z } from "zod";
import { ConfigError, type ConfigProblem } from "./validate.ts";

type RawIssue = z.core.$ZodRawIssue;
type Issue = z.core.$ZodIssue;
/** What a refinement gets to report issues. */
export type Ctx = z.core.$RefinementCtx;

/** Marks a custom issue whose message is the whole line (it names its key its own way). */
const OWN_LINE = "ownLine";

const got = (v: unknown) => JSON.stringify(v);

/** A strict object's own issues: not an object, or a key it does not know (listed per key). */
function objectError(iss: RawIssue): string {
  if (iss.code !== "unrecognized_keys") return "must be an object";
  const keys = Object.keys((iss.inst as z.ZodObject).shape);
  return `unknown key (expected one of ${keys.join(", ")})`;
}

/** An object with exactly these keys: "must be an object", "x: unknown key (expected one of …)". */
export function object<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, { error: objectError });
}

/** An object with these keys and any others (left to a later check). */
export function looseObject<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.looseObject(shape, { error: objectError });
}

/** A finite number in [min, max]: "must be a number from 1 to 5, got 7". */
export function number(min: number, max: number) {
  const error = (iss: RawIssue) => `must be a number from ${min} to ${max}, got ${got(iss.input)}`;
  return z.number({ error }).min(min, { error, abort: true }).max(max, { error, abort: true });
}

/** A whole number in [min, max]: out of range as {@link number}, else "must be a whole number". */
export function whole(min: number, max: number) {
  const error = (iss: RawIssue) => `must be a whole number, got ${got(iss.input)}`;
  return number(min, max).int({ error, abort: true });
}

/** 1 to `max` printable ASCII characters (0 to `max` with `empty`). */
export function text(max: number, { empty = false } = {}) {
  const error = `must be 1 to ${max} printable ASCII characters`;
  const re = new RegExp(`^[\\x20-\\x7e]{${empty ? 0 : 1},${max}}$`);
  return z.string({ error }).regex(re, { error, abort: true });
}

/** A string of at least `min` characters (a secret: a token). */
export function secret(min: number) {
  const error = `must be a string of at least ${min} characters`;
  return z.string({ error }).min(min, { error, abort: true });
}

/** true or false. */
export function bool() {
  return z.boolean({ error: "must be true or false" });
}

/** One of `values`: "must be one of a, b, c" unless `error` says it otherwise. */
export function oneOf<const T extends readonly string[]>(values: T, error?: string) {
  return z.enum(values, { error: error ?? `must be one of ${values.join(", ")}` });
}

/** A regular expression that compiles: `notString` when it is no string, else "not a valid pattern (…)". */
export function pattern(notString: string) {
  return z.string({ error: notString }).superRefine((v, ctx) => {
    try {
      new RegExp(v);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      ctx.addIssue({ code: "custom", message: `not a valid pattern (${e.message})` });
    }
  });
}

/** An array of non-empty strings, with one message for the whole key. */
export function nonEmptyStrings(error: string) {
  return z.custom<string[]>(
    (v) => Array.isArray(v) && v.every((s) => typeof s === "string" && s !== ""),
    { error },
  );
}

/** An array of `item`: "must be an array" unless `error` says it otherwise. */
export function array<T extends z.ZodType>(item: T, error = "must be an array") {
  return z.array(item, { error });
}

/** An object of any keys whose values are `value`. */
export function dict<T extends z.ZodType>(value: T) {
  return z.record(z.string(), value, { error: "must be an object" });
}

/** `schema`, with "required" when the key is missing. */
export function required<T extends z.ZodType>(schema: T) {
  const present = (v: unknown): boolean => v !== undefined;
  return z.unknown().refine(present, { error: "required", abort: true }).pipe(schema);
}

/** A refinement of an array of objects: each `key` appears once ("x" appears twice). */
export function unique(key: string): (items: readonly object[], ctx: Ctx) => void {
  return (items, ctx) => {
    const seen = new Set<unknown>();
    items.forEach((item, i) => {
      const v = (item as Record<string, unknown>)[key];
      if (seen.has(v)) {
        ctx.addIssue({ code: "custom", path: [i, key], message: `"${v}" appears twice` });
      }
      seen.add(v);
    });
  };
}

/** A custom issue whose message is the whole line, e.g. "server.port must be a port number …". */
export function ownLine(message: string): z.core.$ZodSuperRefineIssue {
  return { code: "custom", message, params: { [OWN_LINE]: true } };
}

/** Adds issues found by another schema (their paths relative to the value refined). */
export function addIssues(ctx: Ctx, issues: readonly Issue[]): void {
  for (const issue of issues) ctx.addIssue(issue as z.core.$ZodSuperRefineIssue);
}

/** The file path of `keys` below `base`: `accounts[0].password`. */
function pathText(base: string, keys: readonly PropertyKey[]): string {
  let s = base;
  for (const k of keys) s += typeof k === "number" ? `[${k}]` : `${s ? "." : ""}${String(k)}`;
  return s;
}

/** Where `keys` sit in `input`: a key's index in its object (missing keys after the rest). */
function position(input: unknown, keys: readonly PropertyKey[]): number[] {
  const at: number[] = [];
  let v = input;
  for (const k of keys) {
    if (Array.isArray(v) && typeof k === "number") {
      at.push(k);
      v = v[k];
    } else if (typeof v === "object" && v !== null) {
      const i = Object.keys(v).indexOf(String(k));
      at.push(i < 0 ? Number.MAX_SAFE_INTEGER : i);
      v = (v as Record<string, unknown>)[String(k)];
    } else {
      at.push(Number.MAX_SAFE_INTEGER);
      v = undefined;
    }
  }
  return at;
}

function before(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * The problems of zod's `issues` about `input` at `path` (`root` names the value itself): one per
 * key (an unknown-keys issue becomes one per key), the first of each key, in input order.
 */
export function toProblems(
  issues: readonly Issue[],
  input: unknown,
  path: string,
  root = path,
): ConfigProblem[] {
  const each = issues.flatMap((iss) =>
    iss.code === "unrecognized_keys"
      ? iss.keys.map((k) => ({ keys: [...iss.path, k], message: iss.message, own: false }))
      : [{
        keys: iss.path,
        message: iss.message,
        own: iss.code === "custom" && iss.params?.[OWN_LINE] === true,
      }]
  );
  const sorted = each.map((p) => ({ ...p, at: position(input, p.keys) }))
    .sort((a, b) => before(a.at, b.at));
  const out: ConfigProblem[] = [];
  for (const p of sorted) {
    const where = p.keys.length === 0 ? root : pathText(path, p.keys);
    if (out.some((o) => o.path === where)) continue;
    const line = p.own ? p.message : where ? `${where}: ${p.message}` : p.message;
    out.push({ path: where, message: p.message, line });
  }
  return out;
}

/** Every problem of `v` against `schema` (none when valid); see {@link toProblems}. */
export function problemsOf(
  schema: z.ZodType,
  v: unknown,
  path: string,
  root = path,
): ConfigProblem[] {
  const r = schema.safeParse(v);
  return r.success ? [] : toProblems(r.error.issues, v, path, root);
}

/**
 * `v` checked by `schema` (defaults filled in); a ConfigError lists every problem, its message
 * the first.
 *
 * @example
 * ```ts
 * import { number, object, parse } from "./schema.ts";
 * parse(object({ port: number(1, 65535) }), { port: 0 }, "routes[1]");
 * // ConfigError "routes[1].port: must be a number from 1 to 65535, got 0"
 * ```
 */
export function parse<T extends z.ZodType>(
  schema: T,
  v: unknown,
  path: string,
  root = path,
): z.output<T> {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  throw new ConfigError(toProblems(r.error.issues, v, path, root));
}
