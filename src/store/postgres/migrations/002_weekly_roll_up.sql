-- A weekly roll-up between days and months (docs/adr/0003-postgres-store-roll-ups-and-partitioning.md, "Weekly roll-up"):
--   agg_week.bucket = local ISO week (Monday to Sunday) as floor((day + 3) / 7), where day is the
--   local day number; week 0 starts on Monday 1969-12-29, as 1970-01-01 was a Thursday.
-- A query reads whole months, then whole weeks inside the ragged remainders, then ragged days.
-- Partitioned like agg_day, by year: agg_week_pYYYY holds the weeks whose Monday lies in YYYY,
-- from (first Monday of YYYY) to (first Monday of YYYY + 1); the store creates them on demand.
-- The same columns, collations, NOT NULLs and primary key as agg_day, by construction.
CREATE TABLE agg_week (LIKE agg_day INCLUDING ALL) PARTITION BY RANGE (bucket);

-- Back-fill from the day rows. First the yearly partitions the existing days need (the same
-- bounds and names as src/store/postgres/partitions.ts computes), then the rows, merged with
-- the counter algebra: sums add, max/min combine (min over non-errors ignores NULLs, as SQL's
-- min does), the latest hit's api_name wins (ties: the larger name), code maps add key by key.
-- Floor division by hand: PostgreSQL's % and / on integers truncate toward zero.
CREATE FUNCTION pg_temp.km_week_of_day(day bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT (day + 3 - (((day + 3) % 7) + 7) % 7) / 7 $$;

DO $$
DECLARE
  y integer;
  lo bigint;
  hi bigint;
BEGIN
  FOR y IN
    SELECT DISTINCT extract(year FROM date '1970-01-01' + (pg_temp.km_week_of_day(bucket) * 7 - 3)::integer)::integer
    FROM agg_day
  LOOP
    -- First week starting on or after 1 January: the week of (1 January + 6 days).
    lo := pg_temp.km_week_of_day((make_date(y, 1, 1) - date '1970-01-01') + 6);
    hi := pg_temp.km_week_of_day((make_date(y + 1, 1, 1) - date '1970-01-01') + 6);
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I PARTITION OF agg_week FOR VALUES FROM (%s) TO (%s) WITH (fillfactor = 85)',
      'agg_week_p' || lpad(y::text, 4, '0'), lo, hi
    );
  END LOOP;
END
$$;

WITH day_row AS (
  SELECT *, pg_temp.km_week_of_day(bucket) AS week FROM agg_day
),
code_total AS (
  SELECT d.kind, d.subject, d.org_id, d.week, d.api_id, d.path, d.method, c.key AS code, sum(c.value::bigint) AS n
  FROM day_row AS d, jsonb_each_text(d.codes) AS c
  GROUP BY d.kind, d.subject, d.org_id, d.week, d.api_id, d.path, d.method, c.key
),
week_codes AS (
  SELECT kind, subject, org_id, week, api_id, path, method, jsonb_object_agg(code, n) AS codes
  FROM code_total
  GROUP BY kind, subject, org_id, week, api_id, path, method
),
week_row AS (
  SELECT kind, subject, org_id, week, api_id, path, method, sum(hits) AS hits, sum(success) AS success,
    sum(error) AS error, sum(sum_request_time) AS sum_request_time, sum(sum_latency) AS sum_latency,
    sum(sum_upstream) AS sum_upstream, max(max_latency) AS max_latency, max(max_upstream) AS max_upstream,
    min(min_latency_ok) AS min_latency_ok, min(min_upstream_ok) AS min_upstream_ok,
    min(min_latency_all) AS min_latency_all, min(min_upstream_all) AS min_upstream_all,
    max(last_hit) AS last_hit,
    (array_agg(api_name ORDER BY last_hit DESC, api_name DESC))[1] AS api_name
  FROM day_row
  GROUP BY kind, subject, org_id, week, api_id, path, method
)
INSERT INTO agg_week (
  kind, subject, org_id, bucket, api_id, path, method, hits, success, error, sum_request_time,
  sum_latency, sum_upstream, max_latency, max_upstream, min_latency_ok, min_upstream_ok,
  min_latency_all, min_upstream_all, last_hit, api_name, codes
)
SELECT r.kind, r.subject, r.org_id, r.week, r.api_id, r.path, r.method, r.hits, r.success, r.error,
  r.sum_request_time, r.sum_latency, r.sum_upstream, r.max_latency, r.max_upstream, r.min_latency_ok,
  r.min_upstream_ok, r.min_latency_all, r.min_upstream_all, r.last_hit, r.api_name,
  coalesce(c.codes, '{}'::jsonb)
FROM week_row AS r
LEFT JOIN week_codes AS c USING (kind, subject, org_id, week, api_id, path, method);

DROP FUNCTION pg_temp.km_week_of_day(bigint);
