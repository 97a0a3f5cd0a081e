import assert from "node:assert/strict";
import { GroupCommitter } from "../../lib/store/committer.ts";

Deno.test("GroupCommitter.write() resolves after the data is readable in KV", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const c = new GroupCommitter(kv);
    await c.write([{ type: "set", key: ["a"], value: 1 }]);
    assert.equal((await kv.get(["a"])).value, 1);
  } finally {
    kv.close();
  }
});

Deno.test("GroupCommitter batches concurrent writers into few commits", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const c = new GroupCommitter(kv, { extra: () => [{ type: "set", key: ["hw"], value: 9 }] });
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => c.write([{ type: "set", key: ["k", i], value: i }])),
    );
    assert.ok(c.commits <= 3, `${c.commits} commits`);
    let n = 0;
    for await (const _ of kv.list({ prefix: ["k"] })) n++;
    assert.equal(n, 1000);
    assert.equal((await kv.get(["hw"])).value, 9, "extra mutations ride along");
  } finally {
    kv.close();
  }
});

Deno.test("GroupCommitter splits batches at the mutation limit, never inside a group", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const c = new GroupCommitter(kv, { maxMutations: 10 });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        c.write([{ type: "set", key: ["g", i, 0], value: 0 }, {
          type: "set",
          key: ["g", i, 1],
          value: 1,
        }, {
          type: "set",
          key: ["g", i, 2],
          value: 2,
        }])),
    );
    assert.ok(c.commits >= 4);
  } finally {
    kv.close();
  }
});

Deno.test("GroupCommitter rejects every writer of a failed commit", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = new GroupCommitter(kv);
  kv.close();
  const results = await Promise.allSettled([
    c.write([{ type: "set", key: ["x"], value: 1 }]),
    c.write([{ type: "set", key: ["y"], value: 2 }]),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
});
