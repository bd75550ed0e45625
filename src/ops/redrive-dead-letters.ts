import type { AggregateOptions } from '../aggregate/aggregate.ts';
import { prepareResults } from '../ingest/prepare-batch.ts';
import { decodeJsonRecord } from '../record/json-decoder.ts';
import { decodeMsgpackRecord } from '../record/msgpack-decoder.ts';
import type { DecodeResult, RecordDecoder } from '../record/record.ts';
import type { DeadLetter, Store } from '../store/store.ts';
import type { IngestMetrics } from './metrics.ts';

export interface RedriveOptions {
  store: Store;
  aggregate: AggregateOptions;
  /** Gateway msgpack decoder (entries from Redis); `decodeMsgpackRecord` by default. */
  decodeMsgpack?: RecordDecoder;
  metrics?: IngestMetrics;
}

export interface RedriveResult {
  redriven: number[];
  stillFailing: Array<{ id: number; reason: string }>;
  /** Asked-for ids that are not (or no longer) dead letters. */
  missing: number[];
}

/** Decodes a dead letter by its origin: Redis entries are gateway msgpack, others JSON or msgpack. */
function decodeDeadLetter(dl: DeadLetter, decodeMsgpack: RecordDecoder): DecodeResult {
  if (!dl.source.startsWith('redis:') && dl.payload[0] === 0x7b /* { */) {
    try {
      return decodeJsonRecord(JSON.parse(Buffer.from(dl.payload).toString('utf8')));
    } catch (err) {
      return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
    }
  }
  return decodeMsgpack(dl.payload);
}

async function* allDeadLetters(store: Store): AsyncGenerator<DeadLetter> {
  for (let after = 0; ; ) {
    const page = await store.aggregates.listDeadLetters(after, 500);
    if (page.length === 0) return;
    yield* page;
    after = page[page.length - 1]?.id ?? after;
  }
}

/**
 * Decodes dead letters again (after a decoder fix, or a producer fix that made them valid) and
 * commits each one that now decodes together with its removal from the dead letters, in one
 * transaction. The batch id names the dead letter, so two concurrent re-drives count it once.
 */
export async function redriveDeadLetters(ids: number[] | 'all', o: RedriveOptions): Promise<RedriveResult> {
  const wanted = ids === 'all' ? undefined : new Set(ids);
  const result: RedriveResult = { redriven: [], stillFailing: [], missing: [] };
  const seen = new Set<number>();
  for await (const dl of allDeadLetters(o.store)) {
    if (wanted && !wanted.has(dl.id)) continue;
    seen.add(dl.id);
    // The same checks as the drain, so a re-drive never lets through what the drain rejects.
    const decoded = decodeDeadLetter(dl, o.decodeMsgpack ?? decodeMsgpackRecord);
    if (!decoded.ok) {
      result.stillFailing.push({ id: dl.id, reason: decoded.reason });
      continue;
    }
    const { batch } = prepareResults([decoded], o.aggregate);
    await o.store.aggregates.commit(batch, {
      batchId: `dead-letter:${dl.id}:${dl.receivedAtMs}`,
      resolveDeadLetterIds: [dl.id],
    });
    result.redriven.push(dl.id);
    o.metrics?.redriven.inc();
    o.metrics?.accepted.inc({ source: 'redrive' });
  }
  if (wanted) result.missing = [...wanted].filter((id) => !seen.has(id));
  return result;
}
