import type { AggregateBatch, AggregateOptions } from '../../aggregate/aggregate.ts';
import type { FastMsgpackDecoder } from '../../record/fast-msgpack-decoder.ts';
import { emptyRecord } from '../../record/record.ts';
import type { NewDeadLetter } from '../../store/store.ts';
import { prepareBatch } from '../prepare-batch.ts';
import type { ClaimedBatch } from './batch-source.ts';

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
 * name, the reason and the raw bytes; it never fails the batch. `decoder` keeps its string cache
 * from batch to batch, and decodes every entry into one reused record.
 */
export function decodeBatch(
  claimed: ClaimedBatch,
  lists: readonly string[],
  opts: AggregateOptions,
  decoder: FastMsgpackDecoder,
  nowMs: number,
): DecodedBatch {
  const record = emptyRecord();
  const prepared = prepareBatch(claimed.entries, (entry) => decoder.read(entry, record) ?? record, opts);
  const deadLetters: NewDeadLetter[] = [];
  if (prepared.rejected.length > 0) {
    const sourceOf = sourceLookup(claimed, lists);
    for (const { index, reason } of prepared.rejected) {
      const payload = claimed.entries[index] ?? Buffer.alloc(0);
      deadLetters.push({ source: `redis:${sourceOf(index)}`, reason, payload, receivedAtMs: nowMs });
    }
  }
  return { batch: prepared.batch, deadLetters, accepted: prepared.accepted, newestMs: prepared.newestMs };
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
