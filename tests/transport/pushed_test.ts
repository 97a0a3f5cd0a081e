import assert from "node:assert/strict";
import { ConnClosedError, PushedConn, type PushSocket } from "../../lib/transport/pushed.ts";
import { PushedListener } from "../../lib/transport/pushed_listener.ts";
import { within } from "../support/wait.ts";

/** A socket that records what it is asked and takes `room` octets per write. */
function fakeSocket(room = Infinity) {
  const s = {
    written: [] as number[][],
    room,
    paused: 0,
    resumed: 0,
    ended: 0,
    write(p: Uint8Array) {
      if (s.ended) return -1;
      const n = Math.min(p.length, s.room);
      if (n > 0) s.written.push([...p.subarray(0, n)]);
      s.room -= n;
      return n;
    },
    end() {
      s.ended++;
    },
    pause() {
      s.paused++;
    },
    resume() {
      s.resumed++;
    },
  };
  return s satisfies PushSocket;
}

Deno.test("PushedConn: pushed octets are read in order, across chunks and into small buffers", async () => {
  const conn = new PushedConn(fakeSocket(), "10.0.0.1");
  assert.equal(conn.remote, "10.0.0.1");
  const buf = new Uint8Array(3);
  const pending = conn.read(buf);
  conn.push(new Uint8Array([1, 2, 3, 4, 5]));
  assert.equal(await pending, 3);
  assert.deepEqual([...buf], [1, 2, 3]);
  conn.push(new Uint8Array([6]));
  const big = new Uint8Array(10);
  assert.equal(await conn.read(big), 3);
  assert.deepEqual([...big.subarray(0, 3)], [4, 5, 6]);
  conn.end();
  assert.equal(await conn.read(big), null);
});

Deno.test("PushedConn: reading pauses over the high-water mark and resumes once drained", async () => {
  const s = fakeSocket();
  const conn = new PushedConn(s, "x", 4);
  conn.push(new Uint8Array(3));
  assert.equal(s.paused, 0);
  conn.push(new Uint8Array(3));
  assert.equal(s.paused, 1);
  assert.equal(await conn.read(new Uint8Array(4)), 4);
  assert.equal(s.resumed, 0, "still 2 unread");
  assert.equal(await conn.read(new Uint8Array(4)), 2);
  assert.equal(s.resumed, 1);
});

Deno.test("PushedConn: a full socket makes write wait for drain; close and fail wake everyone", async () => {
  const s = fakeSocket(2);
  const conn = new PushedConn(s, "x");
  assert.equal(await conn.write(new Uint8Array([1, 2, 3])), 2);
  const blocked = conn.write(new Uint8Array([3]));
  let done = false;
  blocked.then(() => done = true);
  await Promise.resolve();
  assert.equal(done, false);
  s.room = 10;
  conn.drained();
  assert.equal(await within(blocked, 1000, "write after drain"), 1);
  assert.deepEqual(s.written, [[1, 2], [3]]);

  s.room = 0;
  const stuck = conn.write(new Uint8Array([9]));
  const reading = conn.read(new Uint8Array(1));
  conn.close();
  await assert.rejects(stuck, ConnClosedError);
  assert.equal(await reading, null);
  assert.equal(s.ended, 1);
  await assert.rejects(conn.write(new Uint8Array([1])), ConnClosedError);

  const failing = new PushedConn(fakeSocket(), "y");
  const r = failing.read(new Uint8Array(1));
  failing.fail(new Error("reset"));
  await assert.rejects(r, /reset/);
});

Deno.test("PushedListener: hands over connections in order; close ends accept and drops the queue", async () => {
  let stopped = 0;
  const l = new PushedListener("127.0.0.1", 1234, () => stopped++);
  const a = new PushedConn(fakeSocket(), "a");
  const waiting = l.accept();
  l.offer(a);
  assert.equal(await waiting, a);
  const bSocket = fakeSocket();
  l.offer(new PushedConn(bSocket, "b"));
  const next = l.accept();
  assert.equal((await next)?.remote, "b");
  const queued = fakeSocket();
  l.offer(new PushedConn(queued, "c"));
  const last = l.accept();
  l.close();
  assert.equal((await last)?.remote, "c");
  assert.equal(await l.accept(), null);
  assert.equal(stopped, 1);
  const late = fakeSocket();
  l.offer(new PushedConn(late, "d"));
  assert.equal(late.ended, 1, "a connection after close is closed");
});
