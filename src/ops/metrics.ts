import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Ingest metrics, registered on a registry the caller owns (no global default registry). */
export interface IngestMetrics {
  registry: Registry;
  /** Valid records committed, by source (`redis`, `http`). */
  accepted: Counter<'source'>;
  /** Undecodable or invalid records, kept as dead letters, by source. */
  rejected: Counter<'source'>;
  /** Batches by outcome: `committed`, or `duplicate` (batch id already committed: a replay). */
  batches: Counter<'outcome'>;
  commitSeconds: Histogram;
  /** Failed commit attempts (each one is retried). */
  commitFailures: Counter;
  /** LLEN of each gateway list, sampled. */
  backlog: Gauge<'list'>;
  /** Batches claimed and not yet finished, all instances. */
  inflightBatches: Gauge;
  /** Now minus the newest record timestamp of the last committed batch. */
  lagSeconds: Gauge;
  lastCommitSeconds: Gauge;
  /** 1 while the drainer is backing off from a store or Redis failure. */
  backingOff: Gauge;
  adoptedBatches: Counter;
  redriven: Counter;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  return {
    registry,
    accepted: new Counter({
      name: 'keymeter_records_accepted_total',
      help: 'Valid analytics records committed',
      labelNames: ['source'],
      registers,
    }),
    rejected: new Counter({
      name: 'keymeter_records_rejected_total',
      help: 'Records that failed to decode or validate (Redis: kept as dead letters; HTTP: returned to the caller)',
      labelNames: ['source'],
      registers,
    }),
    batches: new Counter({
      name: 'keymeter_batches_total',
      help: 'Ingest batches by outcome (committed, duplicate = already committed, skipped on replay)',
      labelNames: ['outcome'],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'keymeter_commit_duration_seconds',
      help: 'Store commit latency of one batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    commitFailures: new Counter({
      name: 'keymeter_commit_failures_total',
      help: 'Failed commit attempts (retried with backoff)',
      registers,
    }),
    backlog: new Gauge({
      name: 'keymeter_redis_list_backlog',
      help: 'Entries waiting in each gateway analytics list (LLEN, sampled)',
      labelNames: ['list'],
      registers,
    }),
    inflightBatches: new Gauge({
      name: 'keymeter_redis_inflight_batches',
      help: 'Batches claimed from Redis and not yet finished, all instances (sampled)',
      registers,
    }),
    lagSeconds: new Gauge({
      name: 'keymeter_drain_lag_seconds',
      help: 'Age of the newest record in the last committed batch when it was committed',
      registers,
    }),
    lastCommitSeconds: new Gauge({
      name: 'keymeter_last_commit_timestamp_seconds',
      help: 'Unix time of the last successful commit',
      registers,
    }),
    backingOff: new Gauge({
      name: 'keymeter_drain_backing_off',
      help: '1 while the drainer backs off from a store or Redis failure',
      registers,
    }),
    adoptedBatches: new Counter({
      name: 'keymeter_adopted_batches_total',
      help: 'In-flight batches taken over from an instance whose lease expired',
      registers,
    }),
    redriven: new Counter({
      name: 'keymeter_dead_letters_redriven_total',
      help: 'Dead letters that decoded on re-drive and were committed',
      registers,
    }),
  };
}
