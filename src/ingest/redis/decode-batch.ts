import type { AggregateBatch, AggregateOptions } from '../../aggregate/aggregate.ts';
import type { DecodeResult } from '../../record/record.ts';
import type { NewDeadLetter } from '../../store/store.ts';
import { prepareBatch } from '../prepare-batch.ts';
import type { ClaimedBatch } from './batch-source.ts';

/** Decodes one gateway record; `decodeMsgpackRecord` in production. */
export type RecordDecoder = (bytes: Uint8Array) => DecodeResult;

/** A claimed batch turned into what one store commit needs. */
export interface DecodedBatch {
  batch: AggregateBatch;
  deadLetters: NewDeadLetter[];
  accepted: number;
  /** Newest record timestamp (Unix ms) among accepted records; undefined if none. */
  newestMs: number | undefined;
}

/**
 * Decodes and aggregates a claimed batch. A bad entry becomes a dead letter carrying its list
 * name, the reason and the raw bytes; it never fails the batch.
 */
export function decodeBatch(
  claimed: ClaimedBatch,
  lists: readonly string[],
  opts: AggregateOptions,
  decode: RecordDecoder,
  nowMs: number,
): DecodedBatch {
  let newestMs: number | undefined;
  function* results(): Generator<DecodeResult> {
    for (const entry of claimed.entries) {
      const result = decode(entry);
      if (result.ok && (newestMs === undefined || result.record.timestampMs > newestMs)) {
        newestMs = result.record.timestampMs;
      }
      yield result;
    }
  }
  const prepared = prepareBatch(results(), opts);
  const deadLetters: NewDeadLetter[] = [];
  if (prepared.rejected.length > 0) {
    const sourceOf = sourceLookup(claimed, lists);
    for (const { index, reason } of prepared.rejected) {
      const payload = claimed.entries[index] ?? Buffer.alloc(0);
      deadLetters.push({ source: `redis:${sourceOf(index)}`, reason, payload, receivedAtMs: nowMs });
    }
  }
  return { batch: prepared.batch, deadLetters, accepted: prepared.accepted, newestMs };
}

/** Maps an entry's position in the batch to the gateway list it was taken from. */
function sourceLookup(claimed: ClaimedBatch, lists: readonly string[]): (index: number) => string {
  const ends: Array<[number, string]> = [];
  let end = 0;
  for (const seg of claimed.layout) {
    end += seg.count;
    ends.push([end, lists[seg.list] ?? `list#${seg.list}`]);
  }
  return (index) => ends.find(([e]) => index < e)?.[1] ?? 'unknown';
}
