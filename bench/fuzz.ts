/**
 * `deno task fuzz [--cases N] [--seed S] ...`: the fuzz harness's command line. The engine lives
 * in tests/support/fuzz/ (tests/fuzz_test.ts runs it in CI).
 */
import { main } from "../tests/support/fuzz/mod.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
