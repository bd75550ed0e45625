-- Aggregates at three granularities share one shape (see docs/adr/0001-buckets-and-roll-ups.md):
--   agg_hour.bucket  = UTC ms of the bucket start (local hour floor)
--   agg_day.bucket   = local calendar day, days since 1970-01-01
--   agg_month.bucket = local calendar month, year * 12 + month - 1
-- The primary key puts the subject first: every query is (kind, subject[, org], bucket range),
-- a super user's too (no org). min_*_ok are NULL while a row has no non-error record.
CREATE TABLE agg_hour (
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  org_id TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  api_id TEXT NOT NULL,
  path TEXT NOT NULL,
  method TEXT NOT NULL,
  hits INTEGER NOT NULL,
  success INTEGER NOT NULL,
  error INTEGER NOT NULL,
  sum_request_time INTEGER NOT NULL,
  sum_latency INTEGER NOT NULL,
  sum_upstream INTEGER NOT NULL,
  max_latency INTEGER NOT NULL,
  max_upstream INTEGER NOT NULL,
  min_latency_ok INTEGER,
  min_upstream_ok INTEGER,
  min_latency_all INTEGER NOT NULL,
  min_upstream_all INTEGER NOT NULL,
  last_hit INTEGER NOT NULL,
  api_name TEXT NOT NULL,
  codes TEXT NOT NULL,
  PRIMARY KEY (kind, subject, org_id, bucket, api_id, path, method)
) WITHOUT ROWID;

CREATE TABLE agg_day (
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  org_id TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  api_id TEXT NOT NULL,
  path TEXT NOT NULL,
  method TEXT NOT NULL,
  hits INTEGER NOT NULL,
  success INTEGER NOT NULL,
  error INTEGER NOT NULL,
  sum_request_time INTEGER NOT NULL,
  sum_latency INTEGER NOT NULL,
  sum_upstream INTEGER NOT NULL,
  max_latency INTEGER NOT NULL,
  max_upstream INTEGER NOT NULL,
  min_latency_ok INTEGER,
  min_upstream_ok INTEGER,
  min_latency_all INTEGER NOT NULL,
  min_upstream_all INTEGER NOT NULL,
  last_hit INTEGER NOT NULL,
  api_name TEXT NOT NULL,
  codes TEXT NOT NULL,
  PRIMARY KEY (kind, subject, org_id, bucket, api_id, path, method)
) WITHOUT ROWID;

CREATE TABLE agg_month (
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  org_id TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  api_id TEXT NOT NULL,
  path TEXT NOT NULL,
  method TEXT NOT NULL,
  hits INTEGER NOT NULL,
  success INTEGER NOT NULL,
  error INTEGER NOT NULL,
  sum_request_time INTEGER NOT NULL,
  sum_latency INTEGER NOT NULL,
  sum_upstream INTEGER NOT NULL,
  max_latency INTEGER NOT NULL,
  max_upstream INTEGER NOT NULL,
  min_latency_ok INTEGER,
  min_upstream_ok INTEGER,
  min_latency_all INTEGER NOT NULL,
  min_upstream_all INTEGER NOT NULL,
  last_hit INTEGER NOT NULL,
  api_name TEXT NOT NULL,
  codes TEXT NOT NULL,
  PRIMARY KEY (kind, subject, org_id, bucket, api_id, path, method)
) WITHOUT ROWID;

CREATE TABLE ingest_batch (
  batch_id TEXT PRIMARY KEY,
  committed_at INTEGER NOT NULL
);
CREATE INDEX ingest_batch_committed_at ON ingest_batch (committed_at);

CREATE TABLE dead_letter (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  reason TEXT NOT NULL,
  payload BLOB NOT NULL,
  received_at INTEGER NOT NULL
);

CREATE TABLE organisation (
  id TEXT PRIMARY KEY,
  owner_name TEXT NOT NULL,
  owner_slug TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE app_user (
  id TEXT PRIMARY KEY,
  org_id TEXT,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  email_address TEXT NOT NULL UNIQUE,
  active INTEGER NOT NULL,
  permissions TEXT NOT NULL,
  access_key_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE setting (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
