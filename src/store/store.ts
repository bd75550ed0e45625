import type { AggregateBatch, SubjectKind } from '../aggregate/aggregate.ts';
import type { Counters } from '../aggregate/counters.ts';

/** A seed-endpoint query: one subject's traffic over an inclusive range of local days. */
export interface EndpointQuery {
  /** The caller's organisation; null = super user, every organisation. */
  orgId: string | null;
  kind: SubjectKind;
  subject: string;
  /** Local day numbers (days since 1970-01-01 in the deployment's zone), both inclusive. */
  startDay: number;
  endDay: number;
}

/** One endpoint's counters merged over the whole range and every HTTP method. */
export interface EndpointTotals {
  apiId: string;
  path: string;
  counters: Omit<Counters, 'codes'>;
}

/** A record that could not be decoded or validated, kept for an operator. */
export interface NewDeadLetter {
  /** Where it came from, e.g. `redis:analytics-tyk-system-analytics_3` or `http`. */
  source: string;
  reason: string;
  payload: Uint8Array;
  receivedAtMs: number;
}

export interface DeadLetter extends NewDeadLetter {
  id: number;
}

export interface CommitOptions {
  /**
   * Idempotency token. When given, the batch id is recorded in the same transaction as the
   * aggregates, and a batch whose id is already recorded is skipped entirely.
   */
  batchId?: string;
  /**
   * Several idempotency tokens committed as one (the Redis drain's group commit): recorded
   * together, so either all of them were committed before (the batch is skipped) or none was.
   */
  batchIds?: readonly string[];
  /** Dead letters committed atomically with the aggregates. */
  deadLetters?: NewDeadLetter[];
  /** Dead letters removed atomically (a successful re-drive). */
  resolveDeadLetterIds?: number[];
}

/** Cut-offs for retention: rows whose bucket is strictly below these are deleted. */
export interface RetentionCutoff {
  hour: number;
  day: number;
  week: number;
  month: number;
}

/** The aggregate side of a backend. All writes are additive merges under the counter algebra. */
export interface AggregateStore {
  /**
   * Merges a batch into hourly, daily, weekly and monthly rows in one transaction: all or nothing.
   * Returns false when `batchId` (or `batchIds`) was already committed (nothing was written);
   * throws, writing nothing, when only some of `batchIds` were.
   */
  commit(batch: AggregateBatch, options?: CommitOptions): Promise<boolean>;
  /** Whether a batch id has been committed. */
  isCommitted(batchId: string): Promise<boolean>;
  /** Per-endpoint totals for the seed endpoints, in no particular order. */
  queryEndpoints(query: EndpointQuery): Promise<EndpointTotals[]>;
  /** Deletes rows below the cut-offs, and batch ids older than `batchIdsBeforeMs`. */
  applyRetention(cutoff: RetentionCutoff, batchIdsBeforeMs: number): Promise<void>;
  listDeadLetters(afterId: number, limit: number): Promise<DeadLetter[]>;
  countDeadLetters(): Promise<number>;
}

export interface Organisation {
  id: string;
  ownerName: string;
  ownerSlug: string;
  createdAtMs: number;
}

export interface User {
  id: string;
  /** null = super user (sees every organisation). */
  orgId: string | null;
  firstName: string;
  lastName: string;
  emailAddress: string;
  active: boolean;
  permissions: Record<string, string>;
  /** SHA-256 of the access key, hex. The plain key is never stored. */
  accessKeyHash: string;
  createdAtMs: number;
}

/** Organisations, users and settings. */
export interface AccountStore {
  /** False when an organisation with this id already exists. */
  createOrganisation(org: Organisation): Promise<boolean>;
  getOrganisation(id: string): Promise<Organisation | undefined>;
  listOrganisations(): Promise<Organisation[]>;
  /** False when the email address is already taken. */
  createUser(user: User): Promise<boolean>;
  getUser(id: string): Promise<User | undefined>;
  getUserByKeyHash(hash: string): Promise<User | undefined>;
  /** False when there was no such user. */
  deleteUser(id: string): Promise<boolean>;
  getSetting(name: string): Promise<string | undefined>;
  /** Stores `value` unless the setting exists; returns the value now stored (race-safe). */
  initSetting(name: string, value: string): Promise<string>;
}

/** A storage backend: one object per process, opened by `openStore`. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly aggregates: AggregateStore;
  readonly accounts: AccountStore;
  /** Throws if the backend is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Every idempotency token of a commit: `batchId` and `batchIds` together. */
export const batchIdsOf = (o: CommitOptions): string[] => [
  ...(o.batchId === undefined ? [] : [o.batchId]),
  ...(o.batchIds ?? []),
];

/** A commit refused whole because some of its batch ids were committed before, and not all. */
export class PartlyCommittedError extends Error {}

/** The error for a commit whose tokens were partly committed before: retrying it cannot help. */
export const partlyCommitted = (ids: readonly string[]): Error =>
  new PartlyCommittedError(
    `batch ids ${ids.join(', ')} were partly committed before: refusing to count any twice`,
  );
