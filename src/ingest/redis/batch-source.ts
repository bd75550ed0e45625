import type { Redis } from 'ioredis';
import { type DrainKeys, formatIndexValue, type Layout, parseIndexValue } from './keys.ts';
import { CLAIM, FINISH, runScript, runScriptThen, TAKEOVER } from './scripts.ts';

/** Entries moved out of the gateway lists into keymeter's own keys, not yet committed. */
export interface ClaimedBatch {
  batchId: string;
  /** Which list each run of entries came from, in entry order. */
  layout: Layout;
  entries: Buffer[];
}

/** An index entry: a batch claimed by some instance and not yet finished. */
export interface InflightEntry {
  batchId: string;
  /** The raw index value, compared on takeover so that two adopters never both win. */
  value: string;
  owner: string;
  layout: Layout;
}

/** keymeter's Redis protocol: atomic claim, takeover and finish of batches, and instance leases. */
export class BatchSource {
  private rotation = 0;

  constructor(
    private readonly redis: Redis,
    readonly keys: DrainKeys,
    private readonly listTtlSeconds: number,
  ) {}

  /** Claims up to `max` entries across the lists; undefined when every list is empty. */
  async claim(batchId: string, owner: string, max: number): Promise<ClaimedBatch | undefined> {
    const { lists, index, segment } = this.keys;
    const segments = lists.map((_, i) => segment(batchId, i));
    const keys = [index, ...lists, ...segments];
    this.rotation = (this.rotation + 1) % lists.length;
    // The script moves entries inside Redis; every segment is read back in the same round trip.
    const replies = await runScriptThen(
      this.redis,
      CLAIM,
      keys,
      [max, this.listTtlSeconds, owner, batchId, this.rotation],
      (pipe) => {
        for (const seg of segments) pipe.lrangeBuffer(seg, 0, -1);
      },
    );
    const [flat, ...reads] = replies as [number[], ...Buffer[][]];
    const layout: Layout = [];
    const entries: Buffer[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const list = flat[i] ?? 0;
      const got = reads[list] ?? [];
      layout.push({ list, count: got.length });
      for (const e of got) entries.push(e);
    }
    return entries.length === 0 ? undefined : { batchId, layout, entries };
  }

  /** Every batch claimed and not yet finished, by any instance. Unparseable entries are skipped. */
  async inflight(): Promise<InflightEntry[]> {
    const all = await this.redis.hgetall(this.keys.index);
    const out: InflightEntry[] = [];
    for (const [batchId, value] of Object.entries(all)) {
      const parsed = parseIndexValue(value);
      if (parsed) out.push({ batchId, value, ...parsed });
    }
    return out;
  }

  /** Makes `owner` the owner of an orphaned batch; undefined if another instance got there first. */
  async takeover(entry: InflightEntry, owner: string): Promise<ClaimedBatch | undefined> {
    const segs = entry.layout.map((s) => this.keys.segment(entry.batchId, s.list));
    const reply = (await runScript(
      this.redis,
      TAKEOVER,
      [this.keys.index, ...segs],
      [entry.batchId, entry.value, formatIndexValue(owner, entry.layout)],
    )) as Buffer[][] | null;
    if (reply === null) return undefined;
    // Counts come from the segments themselves, so the layout always matches the entries.
    const layout = entry.layout.map((s, i) => ({ list: s.list, count: reply[i]?.length ?? 0 }));
    return { batchId: entry.batchId, layout, entries: reply.flat() };
  }

  /** Deletes a committed batch's keys. Idempotent. */
  async finish(batch: Pick<ClaimedBatch, 'batchId' | 'layout'>): Promise<void> {
    const segs = batch.layout.map((s) => this.keys.segment(batch.batchId, s.list));
    await runScript(this.redis, FINISH, [this.keys.index, ...segs], [batch.batchId]);
  }

  async renewLease(owner: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.lease(owner), String(Date.now()), 'PX', ttlMs);
  }

  async releaseLease(owner: string): Promise<void> {
    await this.redis.del(this.keys.lease(owner));
  }

  async leaseAlive(owner: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.lease(owner))) === 1;
  }

  /** LLEN of every gateway list, in list order. */
  async backlog(): Promise<number[]> {
    const pipe = this.redis.pipeline();
    for (const list of this.keys.lists) pipe.llen(list);
    const replies = (await pipe.exec()) ?? [];
    return replies.map(([err, n]) => (err ? 0 : Number(n)));
  }
}
