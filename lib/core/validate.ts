/** Config validation: an error that names the key, and checks that build the message. */

/** A config value is wrong; the message names the key. */
export class ConfigError extends Error {
  /** A config error; `message` names the key. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** A parsed JSON object. */
export type Obj = Record<string, unknown>;

/** `v` as an object, or ConfigError "path: must be an object". */
export function obj(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ConfigError(`${path}: must be an object`);
  }
  return v as Obj;
}

/** Refuses keys of `o` not in `keys`. */
export function known(o: Obj, path: string, keys: readonly string[]) {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) {
      throw new ConfigError(
        `${path}${path ? "." : ""}${k}: unknown key (expected one of ${keys.join(", ")})`,
      );
    }
  }
}

/** Checks `o[key]`, when present, is a finite number in [min, max]. */
export function num(o: Obj, key: string, path: string, min: number, max: number): void {
  const v = o[key];
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(
      `${path}${key}: must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
}

/** Checks `o[key]` (when present, or always when `required`) is 1..maxLen printable ASCII. */
export function str(o: Obj, key: string, path: string, maxLen: number, required = false): void {
  const v = o[key];
  if (v === undefined && !required) return;
  if (typeof v !== "string" || v.length === 0 || v.length > maxLen || /[^\x20-\x7e]/.test(v)) {
    throw new ConfigError(`${path}${key}: must be 1 to ${maxLen} printable ASCII characters`);
  }
}

/** Refuses a missing `o[key]`. */
export function required(o: Obj, key: string, path: string): void {
  if (o[key] === undefined) throw new ConfigError(`${path}${key}: required`);
}

/** Checks `o[key]`, when present, is a whole number. */
export function integer(o: Obj, key: string, path: string): void {
  const v = o[key];
  if (v !== undefined && !Number.isInteger(v)) {
    throw new ConfigError(`${path}${key}: must be a whole number, got ${JSON.stringify(v)}`);
  }
}
