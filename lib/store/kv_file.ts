/**
 * Before a KV file is opened (on either runtime): its folder is created, and an existing file
 * that is not a Deno KV database (another SQLite database, or not SQLite at all) is refused before
 * Deno KV would add its tables to it. Uses `node:fs` and `node:sqlite`, which Deno and Bun both
 * provide.
 */
import { mkdir, open, stat } from "node:fs/promises";

/** An existing file that is not a Deno KV database. */
export class KvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KvFileError";
  }
}

/** The tables every Deno KV database has. */
const KV_TABLES = ["kv", "data_version", "migration_state"];

const SQLITE_MAGIC = "SQLite format 3\0";

/**
 * Creates the folder of `path` and checks that an existing file at `path` is a Deno KV database
 * (":memory:" and a missing or empty file pass).
 *
 * @example
 * ```ts
 * import { prepareKvFile } from "./kv_file.ts";
 * await prepareKvFile("./data/smppgw.kv"); // creates ./data when missing
 * ```
 */
export async function prepareKvFile(path: string): Promise<void> {
  if (path === ":memory:") return;
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  if (dir) await mkdir(dir, { recursive: true });
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return;
    throw e;
  }
  if (size === 0) return;
  const f = await open(path, "r");
  const head = new Uint8Array(16);
  try {
    await f.read(head, 0, 16, 0);
  } finally {
    await f.close();
  }
  if (new TextDecoder().decode(head) !== SQLITE_MAGIC) {
    throw new KvFileError(
      `${path} is not a Deno KV file (not an SQLite database); refusing to use it`,
    );
  }
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path, { readOnly: true });
  let names: Set<string>;
  try {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    names = new Set(rows.map((r) => String((r as { name: unknown }).name)));
  } finally {
    db.close();
  }
  const missing = KV_TABLES.filter((t) => !names.has(t));
  if (missing.length > 0) {
    throw new KvFileError(
      `${path} is an SQLite database but not a Deno KV file (no table ${
        missing.join(", ")
      }); refusing to use it`,
    );
  }
}
