import { type AggregateBatch, type AggregateOptions, BatchAggregator } from '../aggregate/aggregate.ts';
import type { AnalyticsRecord, DecodeResult } from '../record/record.ts';

export interface RejectedEntry {
  /** Position of the entry in the input. */
  index: number;
  reason: string;
}

export interface PreparedBatch extends AddedEntries {
  batch: AggregateBatch;
}

/**
 * Reads one entry: the decoded record, or why it is rejected. The record may be one object the
 * reader reuses for every entry: it is aggregated at once and never retained.
 */
export type EntryReader<T> = (entry: T) => AnalyticsRecord | string;

/** What adding entries to an aggregator found. */
export interface AddedEntries {
  accepted: number;
  rejected: RejectedEntry[];
  /** Newest record timestamp (Unix ms) among accepted records; undefined if none. */
  newestMs: number | undefined;
}

/**
 * Adds entries to an aggregator, listing the rejected ones. Valid records that count nowhere
 * (TCP stats, GraphQL, no key and no client) are still accepted.
 */
export function addEntries<T>(
  acc: BatchAggregator,
  entries: Iterable<T>,
  read: EntryReader<T>,
): AddedEntries {
  const rejected: RejectedEntry[] = [];
  let accepted = 0;
  let index = 0;
  let newestMs = Number.NEGATIVE_INFINITY;
  for (const entry of entries) {
    const record = read(entry);
    if (typeof record === 'string') {
      rejected.push({ index, reason: record });
    } else {
      accepted++;
      if (record.timestampMs > newestMs) newestMs = record.timestampMs;
      acc.add(record);
    }
    index++;
  }
  return { accepted, rejected, newestMs: accepted > 0 ? newestMs : undefined };
}

/** Turns entries into one batch of aggregates plus the list of rejected entries. */
export function prepareBatch<T>(
  entries: Iterable<T>,
  read: EntryReader<T>,
  opts: AggregateOptions,
  expectedRows?: number,
): PreparedBatch {
  const acc = new BatchAggregator(opts, expectedRows);
  const added = addEntries(acc, entries, read);
  return { batch: acc.finish(), ...added };
}

/** `prepareBatch` over results of a decoder that returns `DecodeResult`s. */
export const prepareResults = (results: Iterable<DecodeResult>, opts: AggregateOptions): PreparedBatch =>
  prepareBatch(results, (r) => (r.ok ? r.record : r.reason), opts);
