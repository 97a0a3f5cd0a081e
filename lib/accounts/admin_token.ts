/**
 * The admin API's bearer token: from the config (`http.adminToken`) or the environment
 * (`SMPPGW_ADMIN_TOKEN`), else generated at the first start, shown once and stored as its
 * SHA-256 digest (the token is random and long, so a fast hash suffices; nothing stored lets
 * anyone recover it).
 */
import { Keys, type Store } from "../store/store.ts";
import { constantTimeEqual, generatePassword, sameSecret } from "./password.ts";

/** Characters of a generated token. */
const TOKEN_LENGTH = 32;

const TOKEN_KEY = Keys.adminToken();

async function digest(token: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
}

/** Checks admin tokens; `generated` is the new token when this start created one. */
export interface AdminToken {
  verify(token: string | null): Promise<boolean>;
  /** Set once, at the start that generated the token: print it, it is not stored. */
  generated?: string;
}

/**
 * The token checker: `configured` (config or environment) when given, else the stored digest,
 * generating and storing a token when there is none.
 *
 * @example
 * ```ts
 * import { adminToken } from "./admin_token.ts";
 * import { Store } from "../store/store.ts";
 * const kv = await Deno.openKv(":memory:");
 * const t = await adminToken(new Store(kv), "s3cret-token");
 * console.log(await t.verify("s3cret-token")); // true
 * kv.close();
 * ```
 */
export async function adminToken(store: Store, configured?: string): Promise<AdminToken> {
  if (configured) {
    return { verify: (t) => t === null ? Promise.resolve(false) : sameSecret(t, configured) };
  }
  let stored = (await store.kv.get<Uint8Array>(TOKEN_KEY)).value;
  let generated: string | undefined;
  if (!stored) {
    generated = generatePassword(TOKEN_LENGTH);
    stored = await digest(generated);
    const res = await store.atomic().check({ key: TOKEN_KEY, versionstamp: null })
      .set(TOKEN_KEY, stored).commit();
    if (!res.ok) {
      // Another start stored one first, or the store is no longer ours: use what is there.
      stored = (await store.kv.get<Uint8Array>(TOKEN_KEY)).value;
      generated = undefined;
      if (!stored) throw new Error("storing the admin token failed");
    }
  }
  const expected = stored;
  return {
    generated,
    verify: async (t) => t !== null && constantTimeEqual(await digest(t), expected),
  };
}
