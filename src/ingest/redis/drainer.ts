import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AggregateOptions } from '../../aggregate/aggregate.ts';
import type { IngestMetrics } from '../../ops/metrics.ts';
import { WasmGatewayDecoder } from '../../record/wasm-decoder.ts';
import { PartlyCommittedError, type Store } from '../../store/store.ts';
import { backoffMs, Sleeper } from './backoff.ts';
import { BatchSource, type ClaimedBatch } from './batch-source.ts';
import { type DecodedBatch, PendingCommit } from './decode-batch.ts';
import { type Claim, drainKeys } from './keys.ts';

/** The subset of a pino logger the drainer uses. */
export interface DrainLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DrainerOptions {
  redis: Redis;
  store: Store;
  /** KEYMETER_REDIS_KEY_PREFIX, e.g. `analytics-`. */
  prefix: string;
  aggregate: AggregateOptions;
  metrics: IngestMetrics;
  log?: DrainLog;
  /** Stable id of this instance; a restart with the same id adopts its own batches at once. */
  instanceId?: string;
  /**
   * Page size: entries read and decoded at a time. Bounds memory: at most two pages' entries are
   * held at once (the rest of a claim waits in Redis).
   */
  batchSize?: number;
  /**
   * Most pages one claim takes from the lists (whole lists move, so a claim usually takes a few
   * pages' worth of a backlog at once): bounds what one instance holds while others could help.
   */
  claimPages?: number;
  /**
   * Group commit: while there is a backlog, decoded pages are merged and committed as one store
   * transaction until it holds this many records…
   */
  groupRecords?: number;
  /** …or this many distinct hourly rows (bounds the memory of the merged aggregate)… */
  groupRows?: number;
  /** …or its first page is this old (records stay visible within about this plus one commit). */
  groupMs?: number;
  /** Lease TTL: an instance silent this long is presumed dead and its batches are adopted. */
  leaseMs?: number;
  /** Pause when every list is empty (records are visible within this plus one commit). */
  idleMs?: number;
  maxBackoffMs?: number;
  /** TTL re-armed on a gateway list after a claim takes only its head, as Tyk Pump does after a trim. */
  listTtlSeconds?: number;
  /** On stop, how long to keep retrying the commit of the batch in hand before parking it. */
  stopGraceMs?: number;
  clock?: () => number;
  /** Test hook: runs after a page is committed and before its claim's progress is recorded in Redis. */
  afterCommit?: (batchId: string) => Promise<void> | void;
}

type Failure = 'store' | 'redis';
const noLog: DrainLog = { info() {}, warn() {} };

/**
 * Drains the gateway lists effectively once (docs/adr/0002-delivery-guarantee.md): claim lists
 * atomically into keymeter's own keys, commit them page by page under each page's batch id,
 * recording progress, then delete them. A claim left behind by a dead instance is adopted and its
 * pages committed under the same ids, so every record counts once.
 */
export class RedisDrainer {
  readonly instanceId: string;
  private readonly o: Required<Omit<DrainerOptions, 'instanceId' | 'afterCommit'>> &
    Pick<DrainerOptions, 'afterCommit'>;
  private readonly source: BatchSource;
  private readonly runNonce = randomBytes(4).toString('hex');
  private readonly sleeper = new Sleeper();
  private readonly decoder = new WasmGatewayDecoder();
  private readonly held = new Set<string>();
  private readonly failing = new Map<Failure, string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private seq = 0;
  /** The claim whose pages are being read, and the next page to read. */
  private current: Claim | undefined;
  private nextPage = 0;
  private stopping = false;
  private stopDeadline = 0;
  private nextSweepAt = 0;
  private loop: Promise<void> | undefined;

  constructor(options: DrainerOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.o = {
      log: noLog,
      batchSize: 10_000,
      claimPages: 10,
      groupRecords: 250_000,
      groupRows: 50_000,
      groupMs: 1_000,
      leaseMs: 15_000,
      idleMs: 200,
      maxBackoffMs: 5_000,
      listTtlSeconds: 60,
      stopGraceMs: 10_000,
      clock: Date.now,
      ...options,
    };
    this.source = new BatchSource(options.redis, drainKeys(options.prefix), this.o.listTtlSeconds);
  }

  start(): void {
    if (this.loop) return;
    const every = (ms: number, f: () => Promise<unknown>) =>
      this.timers.push(setInterval(() => void f().catch(() => {}), ms).unref());
    every(Math.max(50, this.o.leaseMs / 3), () => this.source.renewLease(this.instanceId, this.o.leaseMs));
    every(2_000, () => this.sampleBacklog());
    this.loop = this.run();
  }

  /** Not ready while backing off from a store or Redis failure (readiness). */
  status(): { ready: boolean; failing: string[] } {
    return { ready: this.failing.size === 0, failing: [...this.failing.values()] };
  }

  /** Finishes the batch in hand (or parks it in Redis for adoption after `stopGraceMs`), then stops. */
  async stop(): Promise<void> {
    if (!this.loop || this.stopping) return this.loop;
    this.stopping = true;
    this.stopDeadline = this.o.clock() + this.o.stopGraceMs;
    this.sleeper.wakeAll();
    await this.loop;
    for (const t of this.timers) clearInterval(t);
    // Without our lease, peers adopt a parked batch at once instead of after the lease TTL.
    await this.source.releaseLease(this.instanceId).catch(() => {});
  }

  private async run(): Promise<void> {
    while (
      !this.stopping &&
      !(await this.attempt('redis', () => this.source.renewLease(this.instanceId, this.o.leaseMs)))
    ) {
      await this.sleeper.sleep(this.o.maxBackoffMs);
    }
    let next: Promise<ClaimedBatch | undefined | 'error'> | undefined;
    let group: PendingCommit | undefined;
    let redisFailures = 0;
    // On stop: the group in hand is committed, and so are the rest of the claim in hand's pages
    // (no new claim is taken) unless that outlasts stopGraceMs; what is left then stays parked.
    const working = () =>
      !this.stopping || next || group || (this.pagesLeft() && this.o.clock() < this.stopDeadline);
    while (working()) {
      if (!next && !group && !this.stopping && this.o.clock() >= this.nextSweepAt) await this.sweep();
      const claimed = await (next ?? (this.stopping && !this.pagesLeft() ? undefined : this.take()));
      next = undefined;
      if (claimed === 'error') {
        this.nextSweepAt = 0; // the claim may have run with its reply lost: adopt our own orphan
        if (group && !(await this.process(group))) await this.dropInHand(undefined);
        group = undefined;
        await this.sleeper.sleep(backoffMs(redisFailures++, this.o.maxBackoffMs));
        continue;
      }
      redisFailures = 0;
      if (claimed !== undefined) {
        // Overlap Redis's next read with our decode and commit; at most two pages are held. A claim
        // of at least a page means a backlog: its last page (often short) is followed by another claim.
        const more = this.pagesLeft() || claimed.claim.total >= this.o.batchSize;
        if (more && !this.stopping && this.o.clock() < this.nextSweepAt) next = this.take();
        else if (this.stopping && this.pagesLeft() && this.o.clock() < this.stopDeadline) next = this.take();
        group ??= this.newGroup();
        await group.add(claimed);
        if (next && !this.groupDone(group)) continue;
      }
      if (group) {
        if (!(await this.process(group))) {
          await this.dropInHand(next);
          next = undefined;
        }
        group = undefined;
      } else if (!this.stopping) {
        await this.sleeper.sleep(this.o.idleMs);
      }
    }
  }

  private newGroup(): PendingCommit {
    return new PendingCommit(this.o.aggregate, this.decoder, this.source.keys.lists, this.o.clock);
  }

  private groupDone(g: PendingCommit): boolean {
    return (
      g.records >= this.o.groupRecords ||
      g.rows >= this.o.groupRows ||
      this.o.clock() - g.startedMs >= this.o.groupMs
    );
  }

  private pagesLeft(): boolean {
    return this.current !== undefined && this.nextPage < this.current.pages;
  }

  /** The next page: of the claim in hand, else of a new claim; undefined when every list is empty. */
  private async take(): Promise<ClaimedBatch | undefined | 'error'> {
    try {
      if (!this.pagesLeft()) {
        this.current = undefined;
        const batchId = `${this.instanceId}.${this.runNonce}.${this.seq++}`;
        const { batchSize, claimPages } = this.o;
        const claim = await this.source.claim(batchId, this.instanceId, batchSize, batchSize * claimPages);
        if (!claim) {
          this.recovered('redis');
          return undefined;
        }
        this.held.add(claim.batchId);
        this.current = claim;
        this.nextPage = claim.done;
      }
      const page = await this.source.readPage(this.current as Claim, this.nextPage);
      this.nextPage++;
      this.recovered('redis');
      return page;
    } catch (err) {
      this.fail('redis', err);
      return 'error';
    }
  }

  /**
   * Commits a group of pages and records them done; retries the commit with backoff while the
   * store fails. False when the store refused the group as partly committed (see dropInHand).
   */
  private async process(group: PendingCommit): Promise<boolean> {
    const decoded = group.finish();
    const ids = decoded.pages.map((c) => c.batchId);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.commit(ids, decoded);
      if (outcome === 'partial') {
        this.o.log.warn(
          { batchIds: ids },
          'pages of this group were committed elsewhere: redoing them one by one',
        );
        return false;
      }
      // A duplicate after our own failed attempt is that attempt landing with its reply lost.
      if (outcome === 'fresh' || (outcome === 'duplicate' && attempt > 0)) this.count(decoded);
      if (outcome !== 'failed') break;
      if (this.stopping && this.o.clock() >= this.stopDeadline) {
        this.o.log.warn({ batchIds: ids }, 'store unavailable at shutdown: batches parked in Redis');
        return true;
      }
      await new Promise((r) => setTimeout(r, backoffMs(attempt, this.o.maxBackoffMs)));
    }
    // Pages are in order: recording a claim's last page in the group records the ones before it.
    const last = new Map(decoded.pages.map((p) => [p.claim.batchId, p]));
    for (const page of last.values()) {
      await this.o.afterCommit?.(page.batchId);
      await this.finish(page);
    }
    return true;
  }

  /**
   * After a group was refused as partly committed — another instance adopted one of our claims
   * while we stalled past our lease, and committed one of its pages — forgets every claim in hand,
   * a prefetched page included, and lets the next sweep resume our own claims from their recorded
   * progress, one page per commit (the adopter finishes the claim it took).
   */
  private async dropInHand(next: Promise<unknown> | undefined): Promise<void> {
    await next; // a page read ahead is dropped too: the sweep reads it again
    this.current = undefined;
    this.held.clear();
    this.nextSweepAt = 0;
  }

  private async commit(
    batchIds: string[],
    d: DecodedBatch,
  ): Promise<'fresh' | 'duplicate' | 'partial' | 'failed'> {
    const m = this.o.metrics;
    const end = m.commitSeconds.startTimer();
    try {
      const fresh = await this.o.store.aggregates.commit(d.batch, { batchIds, deadLetters: d.deadLetters });
      end();
      this.recovered('store');
      m.batches.inc({ outcome: fresh ? 'committed' : 'duplicate' }, batchIds.length);
      return fresh ? 'fresh' : 'duplicate';
    } catch (err) {
      if (err instanceof PartlyCommittedError) return 'partial';
      m.commitFailures.inc();
      this.fail('store', err);
      return 'failed';
    }
  }

  private count(d: DecodedBatch): void {
    const m = this.o.metrics;
    const now = this.o.clock();
    m.accepted.inc({ source: 'redis' }, d.accepted);
    m.rejected.inc({ source: 'redis' }, d.deadLetters.length);
    m.lastCommitSeconds.set(now / 1000);
    if (d.newestMs !== undefined) m.lagSeconds.set(Math.max(0, now - d.newestMs) / 1000);
  }

  /**
   * Records a claim's pages up to `page` as committed (deleting the claim after its last page); if
   * Redis stays down past shutdown, adoption re-reads those pages later and skips them as duplicates.
   */
  private async finish(page: DecodedBatch['pages'][number]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (await this.attempt('redis', () => this.source.finish(page.claim, page.page))) break;
      if (this.stopping && this.o.clock() >= this.stopDeadline) break;
      await new Promise((r) => setTimeout(r, backoffMs(attempt, this.o.maxBackoffMs)));
    }
    if (page.page + 1 >= page.claim.pages) this.held.delete(page.claim.batchId);
  }

  /** Adopts batches of instances whose lease expired, and our own orphans (lost claim replies). */
  private async sweep(): Promise<void> {
    this.nextSweepAt = this.o.clock() + this.o.leaseMs / 2;
    try {
      for (const seen of await this.source.inflight()) {
        if (this.stopping) return;
        const { batchId, owner } = seen.claim;
        if (this.held.has(batchId)) continue;
        if (owner !== this.instanceId && (await this.source.leaseAlive(owner))) continue;
        const claim = await this.source.takeover(seen, this.instanceId);
        if (!claim) continue;
        this.o.metrics.adoptedBatches.inc();
        this.o.log.info(
          { batchId, from: owner, pages: claim.pages - claim.done },
          'adopted an in-flight batch',
        );
        this.held.add(batchId);
        try {
          // One page per commit: the previous owner may have committed some (in its own groups),
          // and each of those is then skipped whole.
          for (let page = claim.done; page < claim.pages && !this.stopping; page++) {
            const group = this.newGroup();
            await group.add(await this.source.readPage(claim, page));
            await this.process(group);
          }
        } finally {
          // Done, or failed part-way: either way a later sweep may look at it again.
          this.held.delete(batchId);
        }
      }
      this.recovered('redis');
    } catch (err) {
      this.fail('redis', err);
    }
  }

  private async sampleBacklog(): Promise<void> {
    const lens = await this.source.backlog();
    for (const [i, n] of lens.entries()) {
      this.o.metrics.backlog.set({ list: this.source.keys.lists[i] ?? '' }, n);
    }
    this.o.metrics.inflightBatches.set((await this.source.inflight()).length);
  }

  private async attempt(what: Failure, f: () => Promise<unknown>): Promise<boolean> {
    try {
      await f();
      this.recovered(what);
      return true;
    } catch (err) {
      this.fail(what, err);
      return false;
    }
  }

  private recovered(what: Failure): void {
    if (this.failing.delete(what)) this.o.metrics.backingOff.set(this.failing.size > 0 ? 1 : 0);
  }

  private fail(what: Failure, err: unknown): void {
    const message = `${what}: ${(err as Error).message}`;
    if (!this.failing.has(what)) this.o.log.warn({ err: message }, 'drain backing off');
    this.failing.set(what, message);
    this.o.metrics.backingOff.set(1);
  }
}
