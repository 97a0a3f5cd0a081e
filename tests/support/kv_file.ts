/** A Deno KV file for one test, in a temp directory removed afterwards (WAL and SHM included). */
export async function withTempKv<T>(
  f: (path: string) => Promise<T>,
  prefix = "smppgw-",
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await f(`${dir}/gw.kv`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
