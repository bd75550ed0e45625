-- Aggregates at three granularities share one shape (see docs/adr/0003-postgres-store.md):
--   agg_hour.bucket  = UTC ms of the bucket start (local hour floor)
--   agg_day.bucket   = local calendar day, days since 1970-01-01
--   agg_month.bucket = local calendar month, year * 12 + month - 1
-- Text is COLLATE "C": byte order, as SQLite compares, so both stores sort and pick names alike.
-- The primary key puts the subject first: every query is (kind, subject[, org], bucket range).
-- agg_hour has monthly partitions (UTC months), agg_day yearly ones; they are created on demand
-- by the store (src/store/postgres/partitions.ts). There is deliberately no default partition.
-- agg_month holds twelve rows per endpoint and year: it stays one table.

-- Adds two response-code maps {"200": n, ...}; IMMUTABLE so the planner may inline it.
CREATE FUNCTION km_merge_codes(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(key, total), '{}'::jsonb)
  FROM (
    SELECT key, sum(value::bigint) AS total
    FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS both_maps
    GROUP BY key
  ) AS merged
$$;

CREATE TABLE agg_hour (
  kind text COLLATE "C" NOT NULL,
  subject text COLLATE "C" NOT NULL,
  org_id text COLLATE "C" NOT NULL,
  bucket bigint NOT NULL,
  api_id text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  method text COLLATE "C" NOT NULL,
  hits bigint NOT NULL,
  success bigint NOT NULL,
  error bigint NOT NULL,
  sum_request_time bigint NOT NULL,
  sum_latency bigint NOT NULL,
  sum_upstream bigint NOT NULL,
  max_latency bigint NOT NULL,
  max_upstream bigint NOT NULL,
  min_latency_ok bigint,
  min_upstream_ok bigint,
  min_latency_all bigint NOT NULL,
  min_upstream_all bigint NOT NULL,
  last_hit bigint NOT NULL,
  api_name text COLLATE "C" NOT NULL,
  codes jsonb NOT NULL,
  PRIMARY KEY (kind, subject, org_id, bucket, api_id, path, method)
) PARTITION BY RANGE (bucket);

CREATE TABLE agg_day (
  kind text COLLATE "C" NOT NULL,
  subject text COLLATE "C" NOT NULL,
  org_id text COLLATE "C" NOT NULL,
  bucket bigint NOT NULL,
  api_id text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  method text COLLATE "C" NOT NULL,
  hits bigint NOT NULL,
  success bigint NOT NULL,
  error bigint NOT NULL,
  sum_request_time bigint NOT NULL,
  sum_latency bigint NOT NULL,
  sum_upstream bigint NOT NULL,
  max_latency bigint NOT NULL,
  max_upstream bigint NOT NULL,
  min_latency_ok bigint,
  min_upstream_ok bigint,
  min_latency_all bigint NOT NULL,
  min_upstream_all bigint NOT NULL,
  last_hit bigint NOT NULL,
  api_name text COLLATE "C" NOT NULL,
  codes jsonb NOT NULL,
  PRIMARY KEY (kind, subject, org_id, bucket, api_id, path, method)
) PARTITION BY RANGE (bucket);

CREATE TABLE agg_month (
  kind text COLLATE "C" NOT NULL,
  subject text COLLATE "C" NOT NULL,
  org_id text COLLATE "C" NOT NULL,
  bucket bigint NOT NULL,
  api_id text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  method text COLLATE "C" NOT NULL,
  hits bigint NOT NULL,
  success bigint NOT NULL,
  error bigint NOT NULL,
  sum_request_time bigint NOT NULL,
  sum_latency bigint NOT NULL,
  sum_upstream bigint NOT NULL,
  max_latency bigint NOT NULL,
  max_upstream bigint NOT NULL,
  min_latency_ok bigint,
  min_upstream_ok bigint,
  min_latency_all bigint NOT NULL,
  min_upstream_all bigint NOT NULL,
  last_hit bigint NOT NULL,
  api_name text COLLATE "C" NOT NULL,
  codes jsonb NOT NULL,
  PRIMARY KEY (kind, subject, org_id, bucket, api_id, path, method)
) WITH (fillfactor = 80);

CREATE TABLE ingest_batch (
  batch_id text COLLATE "C" PRIMARY KEY,
  committed_at bigint NOT NULL
);
CREATE INDEX ingest_batch_committed_at ON ingest_batch (committed_at);

CREATE TABLE dead_letter (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL,
  reason text NOT NULL,
  payload bytea NOT NULL,
  received_at bigint NOT NULL
);

CREATE TABLE organisation (
  id text COLLATE "C" PRIMARY KEY,
  owner_name text NOT NULL,
  owner_slug text NOT NULL,
  created_at bigint NOT NULL
);

-- permissions stay text (not jsonb) so they come back byte-identical, key order included.
CREATE TABLE app_user (
  id text COLLATE "C" PRIMARY KEY,
  org_id text COLLATE "C",
  first_name text NOT NULL,
  last_name text NOT NULL,
  email_address text COLLATE "C" NOT NULL UNIQUE,
  active boolean NOT NULL,
  permissions text NOT NULL,
  access_key_hash text COLLATE "C" NOT NULL UNIQUE,
  created_at bigint NOT NULL
);

CREATE TABLE setting (
  name text COLLATE "C" PRIMARY KEY,
  value text NOT NULL
);
