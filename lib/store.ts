/** Every Deno KV key the gateway uses, in one place, with the reads and writes built on them. */
import type { Mutation } from "./committer.ts";
import type {
  AccountRecord,
  JobRecord,
  MessageRecord,
  ReceiptRecord,
  StateRecord,
} from "./records.ts";

/** KV keys. */
export const Keys = {
  account: (systemId: string): Deno.KvKey => ["account", systemId],
  accounts: (): Deno.KvKey => ["account"],
  message: (id: string): Deno.KvKey => ["msg", id],
  state: (id: string): Deno.KvKey => ["state", id],
  job: (route: string, id: string): Deno.KvKey => ["job", route, id],
  jobs: (route: string): Deno.KvKey => ["job", route],
  receipt: (account: string, id: string): Deno.KvKey => ["dlr", account, id],
  receipts: (account: string): Deno.KvKey => ["dlr", account],
  allReceipts: (): Deno.KvKey => ["dlr"],
  idFloor: (node: number): Deno.KvKey => ["ids", node],
  lease: (): Deno.KvKey => ["lease"],
} as const;

/** Reads and mutation builders over one Deno KV handle. */
export class Store {
  constructor(readonly kv: Deno.Kv) {}

  /** The account, or null. */
  async account(systemId: string): Promise<AccountRecord | null> {
    return (await this.kv.get<AccountRecord>(Keys.account(systemId))).value;
  }

  /** Creates or replaces an account. */
  async putAccount(a: AccountRecord): Promise<void> {
    await this.kv.set(Keys.account(a.systemId), a);
  }

  /** All accounts. */
  async accounts(): Promise<AccountRecord[]> {
    const out: AccountRecord[] = [];
    for await (const e of this.kv.list<AccountRecord>({ prefix: Keys.accounts() })) {
      out.push(e.value);
    }
    return out;
  }

  /** The stored message, or null. */
  async message(id: string): Promise<MessageRecord | null> {
    return (await this.kv.get<MessageRecord>(Keys.message(id))).value;
  }

  /** The delivery state of a message, or null while it has none. */
  async state(id: string): Promise<StateRecord | null> {
    return (await this.kv.get<StateRecord>(Keys.state(id))).value;
  }

  /** The persisted id high-water mark of a node (0 when none). */
  async idFloor(node: number): Promise<number> {
    return (await this.kv.get<number>(Keys.idFloor(node))).value ?? 0;
  }

  /** Pages through the jobs queued for a route, oldest first. */
  async *jobs(route: string, after?: string): AsyncGenerator<JobRecord> {
    const start = after ? [...Keys.jobs(route), after, ""] : undefined;
    const sel = start ? { prefix: Keys.jobs(route), start } : { prefix: Keys.jobs(route) };
    for await (const e of this.kv.list<JobRecord>(sel, { batchSize: 500 })) yield e.value;
  }

  /** Pages through an account's queued receipts, oldest first. */
  async *receipts(account: string, limit?: number): AsyncGenerator<ReceiptRecord> {
    for await (
      const e of this.kv.list<ReceiptRecord>({ prefix: Keys.receipts(account) }, {
        limit,
        batchSize: 500,
      })
    ) yield e.value;
  }

  /** Counts queued receipts of every account. */
  async receiptCount(): Promise<number> {
    let n = 0;
    for await (const _ of this.kv.list({ prefix: Keys.allReceipts() })) n++;
    return n;
  }

  /** Mutations that accept a message: the message itself and its route job. */
  static acceptOps(m: MessageRecord): Mutation[] {
    const { body: _, ...job } = m;
    return [
      { type: "set", key: Keys.message(m.id), value: m },
      { type: "set", key: Keys.job(m.route, m.id), value: job },
    ];
  }

  /** Mutations that settle a routed message: its final state, its job gone, maybe a receipt. */
  static settleOps(job: JobRecord, state: StateRecord, receipt: ReceiptRecord | null): Mutation[] {
    const ops: Mutation[] = [
      { type: "set", key: Keys.state(job.id), value: state },
      { type: "delete", key: Keys.job(job.route, job.id) },
    ];
    if (receipt) {
      ops.push({
        type: "set",
        key: Keys.receipt(receipt.account, receipt.messageId),
        value: receipt,
      });
    }
    return ops;
  }

  /** Mutation that updates a queued receipt (e.g. its attempt count). */
  static receiptOp(r: ReceiptRecord): Mutation {
    return { type: "set", key: Keys.receipt(r.account, r.messageId), value: r };
  }

  /** Mutation that removes an acknowledged receipt. */
  static receiptDoneOp(r: ReceiptRecord): Mutation {
    return { type: "delete", key: Keys.receipt(r.account, r.messageId) };
  }
}
