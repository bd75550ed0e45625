import {
  type AggregateBatch,
  type AggregateOptions,
  addRecord,
  RowAccumulator,
  rollUp,
} from '../aggregate/aggregate.ts';
import type { DecodeResult } from '../record/record.ts';

export interface RejectedEntry {
  /** Position of the entry in the input. */
  index: number;
  reason: string;
}

export interface PreparedBatch {
  batch: AggregateBatch;
  accepted: number;
  rejected: RejectedEntry[];
}

/**
 * Turns decode results into one batch of aggregates plus the list of rejected entries. Valid
 * records that count nowhere (TCP stats, GraphQL, no key and no client) are still accepted.
 */
export function prepareBatch(results: Iterable<DecodeResult>, opts: AggregateOptions): PreparedBatch {
  const hours = new RowAccumulator();
  const rejected: RejectedEntry[] = [];
  let accepted = 0;
  let index = 0;
  for (const result of results) {
    if (result.ok) {
      accepted++;
      addRecord(hours, result.record, opts);
    } else {
      rejected.push({ index, reason: result.reason });
    }
    index++;
  }
  return { batch: rollUp(hours.list(), opts.tz), accepted, rejected };
}
