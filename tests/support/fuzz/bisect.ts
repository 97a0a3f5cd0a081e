/**
 * Bisecting a failed health check: the cases of the batch before it are re-run in halves, each
 * half on a fresh gateway, keeping a half that still breaks it, down to one case when a single
 * case is to blame.
 */

/** What a bisection found. */
export interface Bisection {
  /**
   * The smallest run found that still fails, in case order: one case when a single case breaks
   * the gateway, several when only they together do; empty when the whole batch passes on a
   * fresh gateway (the fault needs what ran before the batch).
   */
  cases: number[];
  /** Runs (fresh gateways) it took. */
  runs: number;
}

/**
 * Halves `cases` while one half alone still fails. `fails` runs the given cases on a fresh
 * gateway and resolves true when it no longer passes its health check. At most
 * 2·log2(cases) + 1 runs.
 */
export async function bisect(
  cases: readonly number[],
  fails: (cases: number[]) => Promise<boolean>,
): Promise<Bisection> {
  let runs = 1;
  if (!(await fails([...cases]))) return { cases: [], runs };
  let current = [...cases];
  while (current.length > 1) {
    const half = Math.ceil(current.length / 2);
    const first = current.slice(0, half);
    const second = current.slice(half);
    runs++;
    if (await fails(first)) {
      current = first;
      continue;
    }
    runs++;
    if (await fails(second)) {
      current = second;
      continue;
    }
    break;
  }
  return { cases: current, runs };
}
