/**
 * The store half of the health check: one small write through the group committer, so it takes
 * the same path as every message (fenced by the store's owner entry) and fails the same way
 * (the store lost to another process, KV closed or failing), within a time limit.
 *
 * ```ts
 * import { probeStore } from "./health.ts";
 * // const health = await probeStore(committer, 1000);
 * // health.status === "ok" || console.log(health.error);
 * ```
 */
import { getLogger } from "@logtape/logtape";
import type { Mutation } from "./mutation.ts";
import { Keys } from "./store.ts";

const log = getLogger(["smppgw", "store"]);

/** The health check's answer: `{"status":"ok"}`, or unhealthy with the reason. */
export type Health = { status: "ok" } | { status: "unhealthy"; error: string };

/** What the probe needs of the committer. */
export interface ProbeWriter {
  write(mutations: Mutation[]): Promise<void>;
}

/** The store did not answer the probe in time. */
export class ProbeTimeout extends Error {
  /** A timeout after `ms`. */
  constructor(readonly ms: number) {
    super(`the KV write did not complete within ${ms} ms`);
    this.name = "ProbeTimeout";
  }
}

/**
 * Writes `["meta","health"]` through `writer` and answers ok once it is committed, or unhealthy
 * when the write fails or takes longer than `timeoutMs` (the write itself goes on; its failure
 * is then only part of this answer).
 */
export async function probeStore(writer: ProbeWriter, timeoutMs: number): Promise<Health> {
  const write = writer.write([{ type: "set", key: Keys.health(), value: Date.now() }]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([write, timeout]);
    return { status: "ok" };
  } catch (e) {
    if (e instanceof ProbeTimeout) {
      write.catch((late) =>
        log.warn("the health check's KV write failed after its timeout: {error}", {
          error: String(late),
        })
      );
    }
    return {
      status: "unhealthy",
      error: `KV write failed: ${e instanceof Error ? e.message : String(e)}`,
    };
  } finally {
    clearTimeout(timer);
  }
}
