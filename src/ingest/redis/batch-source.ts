import type { Redis } from 'ioredis';
import {
  type Claim,
  type DrainKeys,
  formatIndexValue,
  type Layout,
  pageId,
  parseIndexValue,
} from './keys.ts';
import { CLAIM, FINISH, runScript, TAKEOVER } from './scripts.ts';

/** One page of a claim: the entries decoded and committed together under the page's batch id. */
export interface ClaimedBatch {
  /** The page's batch id (pageId). */
  batchId: string;
  claim: Claim;
  page: number;
  /** Which list each run of the page's entries came from, in entry order. */
  layout: Layout;
  entries: Buffer[];
}

/** A claim as the index holds it, with the raw value a takeover compares against. */
export interface InflightClaim {
  claim: Claim;
  value: string;
}

/** keymeter's Redis protocol: atomic claims read in pages, takeover, finish, and instance leases. */
export class BatchSource {
  private rotation = 0;

  constructor(
    private readonly redis: Redis,
    readonly keys: DrainKeys,
    private readonly listTtlSeconds: number,
  ) {}

  /**
   * Claims whole gateway lists for `owner` (at least `pageSize` entries when there are that many,
   * at most `maxEntries`); undefined when every list is empty. Nothing is read yet: see readPage.
   */
  async claim(
    batchId: string,
    owner: string,
    pageSize: number,
    maxEntries: number,
  ): Promise<Claim | undefined> {
    const { lists, index, segment } = this.keys;
    const segments = lists.map((_, i) => segment(batchId, i));
    this.rotation = (this.rotation + 1) % lists.length;
    const value = await runScript(
      this.redis,
      CLAIM,
      [index, ...lists, ...segments],
      [pageSize, Math.max(pageSize, maxEntries), this.listTtlSeconds, owner, batchId, this.rotation],
    );
    if (value === null) return undefined;
    const claim = parseIndexValue(batchId, String(value));
    if (!claim) throw new Error(`claim ${batchId} has an unreadable index value: ${String(value)}`);
    return claim;
  }

  /** Reads page `page` of a claim: its share of each segment, in one round trip. */
  async readPage(claim: Claim, page: number): Promise<ClaimedBatch> {
    const from = page * claim.pageSize;
    const to = from + claim.pageSize;
    const pipe = this.redis.pipeline();
    const layout: Layout = [];
    let start = 0;
    for (const seg of claim.layout) {
      const a = Math.max(from, start);
      const b = Math.min(to, start + seg.count);
      if (a < b) {
        pipe.lrangeBuffer(this.keys.segment(claim.batchId, seg.list), a - start, b - start - 1);
        layout.push({ list: seg.list, count: b - a });
      }
      start += seg.count;
    }
    const replies = (await pipe.exec()) ?? [];
    const err = replies.find(([e]) => e)?.[0];
    if (err) throw err;
    const entries: Buffer[] = [];
    replies.forEach(([, got], i) => {
      const part = got as Buffer[];
      // Segments never change until the claim is finished; a short read means an adopter
      // finished it meanwhile, so every page of it is committed and this one will be skipped.
      const s = layout[i];
      if (s) s.count = part.length;
      for (const e of part) entries.push(e);
    });
    return { batchId: pageId(claim, page), claim, page, layout, entries };
  }

  /** Every claim not yet finished, by any instance. Unparseable index entries are skipped. */
  async inflight(): Promise<InflightClaim[]> {
    const all = await this.redis.hgetall(this.keys.index);
    const out: InflightClaim[] = [];
    for (const [batchId, value] of Object.entries(all)) {
      const claim = parseIndexValue(batchId, value);
      if (claim) out.push({ claim, value });
    }
    return out;
  }

  /** Makes `owner` the owner of an orphaned claim; undefined if another instance got there first. */
  async takeover(seen: InflightClaim, owner: string): Promise<Claim | undefined> {
    const claim = { ...seen.claim, owner };
    const taken = await runScript(
      this.redis,
      TAKEOVER,
      [this.keys.index],
      [claim.batchId, seen.value, formatIndexValue(claim)],
    );
    return Number(taken) === 1 ? claim : undefined;
  }

  /** Records that the claim's pages up to `page` are committed; after the last, deletes its keys. Idempotent. */
  async finish(claim: Claim, page: number): Promise<void> {
    const segs = claim.layout.map((s) => this.keys.segment(claim.batchId, s.list));
    await runScript(this.redis, FINISH, [this.keys.index, ...segs], [claim.batchId, page + 1, claim.pages]);
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
