/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (tests only): every line must be
 * valid, `# HELP` and `# TYPE` come once per family and before its samples, a family's samples are
 * contiguous, no series repeats, and every histogram has ascending cumulative buckets ending in
 * `+Inf` equal to its `_count`, and a `_sum`. Any violation throws an {@link ExpositionError}
 * naming the line.
 */

/** The text breaks the format. */
export class ExpositionError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "ExpositionError";
  }
}

/** One sample line. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family. */
export interface Family {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = "(?:[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf)";
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL_NAME}=${LABEL_VALUE})(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`,
);
const PAIR = new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, "g");
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(v: string): number {
  if (v === "NaN") return NaN;
  if (v === "+Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  return Number(v);
}

function unescape(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
}

/** The family a sample name belongs to, given the family being read. */
function familyOf(sample: string, current: Family | undefined): string {
  if (current?.type === "histogram") {
    for (const suffix of ["_bucket", "_sum", "_count"]) {
      if (sample === current.name + suffix) return current.name;
    }
  }
  return sample;
}

/** Parses and checks an exposition; returns its families by name. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const series = new Set<string>();
  if (text.length > 0 && !text.endsWith("\n")) throw new ExpositionError(0, "no final newline");
  const lines = text.split("\n").slice(0, -1);
  let current: Family | undefined;
  const family = (n: number, name: string): Family => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: "", help: "", samples: [] };
      families.set(name, f);
    } else if (f !== current) throw new ExpositionError(n, `${name} appears in two places`);
    current = f;
    return f;
  };
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === "") return;
    const meta = line.match(/^# (HELP|TYPE) (\S+) ?(.*)$/);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new ExpositionError(n, `bad name ${name}`);
      const f = family(n, name);
      if (f.samples.length > 0) throw new ExpositionError(n, `${kind} after samples of ${name}`);
      if (kind === "HELP") {
        if (f.help) throw new ExpositionError(n, `second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) {
          throw new ExpositionError(n, "bad escape in HELP");
        }
        f.help = rest;
      } else {
        if (f.type) throw new ExpositionError(n, `second TYPE for ${name}`);
        if (!TYPES.has(rest)) throw new ExpositionError(n, `unknown type ${rest}`);
        f.type = rest;
      }
      return;
    }
    if (line.startsWith("#")) return; // a comment
    const m = line.match(SAMPLE);
    if (!m) throw new ExpositionError(n, `not a valid sample: ${line}`);
    const [, name, labelText, value] = m;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (labelText ?? "").matchAll(PAIR)) {
      if (k in labels) throw new ExpositionError(n, `label ${k} twice`);
      labels[k] = unescape(v);
    }
    const f = family(n, familyOf(name, current));
    if (!f.type) throw new ExpositionError(n, `sample of ${f.name} before its TYPE`);
    const key = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(",")}}`;
    if (series.has(key)) throw new ExpositionError(n, `series ${key} twice`);
    series.add(key);
    f.samples.push({ name, labels, value: parseValue(value) });
  });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

/** Buckets ascending by `le`, cumulative, the last `+Inf` equal to `_count`; a `_sum`. */
function checkHistogram(f: Family) {
  const groups = new Map<string, ParsedSample[]>();
  for (const s of f.samples) {
    const { le: _, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...groups.get(key) ?? [], s]);
  }
  for (const [key, samples] of groups) {
    const what = `${f.name}${key}`;
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    const sum = samples.find((s) => s.name === `${f.name}_sum`);
    if (!count || !sum) throw new ExpositionError(0, `${what} lacks _count or _sum`);
    if (buckets.length === 0) throw new ExpositionError(0, `${what} has no buckets`);
    let le = -Infinity;
    let n = 0;
    for (const b of buckets) {
      if (b.labels.le === undefined) throw new ExpositionError(0, `${what}: bucket without le`);
      const bound = parseValue(b.labels.le);
      if (!(bound > le)) throw new ExpositionError(0, `${what}: le ${b.labels.le} not ascending`);
      if (b.value < n) throw new ExpositionError(0, `${what}: bucket le=${b.labels.le} falls`);
      le = bound;
      n = b.value;
    }
    if (le !== Infinity) throw new ExpositionError(0, `${what}: no +Inf bucket last`);
    if (n !== count.value) throw new ExpositionError(0, `${what}: +Inf bucket ${n} != _count`);
  }
}

/**
 * The value of the one sample of `name` whose labels include `labels` (0 when the family has no
 * such sample, as a counter not yet moved); throws when several match.
 */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const f = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ""));
  if (!f) throw new Error(`no metric ${name}`);
  const hits = f.samples.filter((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match`);
  return hits[0]?.value ?? 0;
}

/** The sum of every sample of a family (named by its family name; histograms: their count). */
export function familySum(families: Map<string, Family>, name: string): number {
  const f = families.get(name);
  if (!f) throw new Error(`no metric ${name}`);
  if (f.type === "histogram") return sampleValue(families, `${name}_count`);
  return f.samples.reduce((n, s) => n + s.value, 0);
}
