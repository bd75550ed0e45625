-- A weekly roll-up between days and months (docs/adr/0003-postgres-store-roll-ups-and-partitioning.md, "Weekly roll-up"):
--   agg_week.bucket = local ISO week (Monday to Sunday) as floor((day + 3) / 7), where day is the
--   local day number; week 0 starts on Monday 1969-12-29, as 1970-01-01 was a Thursday.
-- A query reads whole months, then whole weeks inside the ragged remainders, then ragged days.
CREATE TABLE agg_week (
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

-- Back-fill from the day rows, with the counter algebra: sums add, max/min combine (min over
-- non-errors ignores NULLs, as SQL's min does), the latest hit's api_name wins (ties: the larger
-- name), response-code maps add key by key (codes are
-- compared as values, never as text). Floor division: SQLite's % and / truncate toward zero.
WITH day_row AS (
  SELECT *, (bucket + 3 - (((bucket + 3) % 7) + 7) % 7) / 7 AS week
  FROM agg_day
),
named AS (
  SELECT *, first_value(api_name) OVER (
    PARTITION BY kind, subject, org_id, week, api_id, path, method
    ORDER BY last_hit DESC, api_name DESC
  ) AS week_api_name
  FROM day_row
),
code_total AS (
  SELECT d.kind, d.subject, d.org_id, d.week, d.api_id, d.path, d.method, c.key AS code, sum(c.value) AS n
  FROM day_row AS d, json_each(d.codes) AS c
  GROUP BY d.kind, d.subject, d.org_id, d.week, d.api_id, d.path, d.method, c.key
),
week_codes AS (
  SELECT kind, subject, org_id, week, api_id, path, method, json_group_object(code, n) AS codes
  FROM code_total
  GROUP BY kind, subject, org_id, week, api_id, path, method
)
INSERT INTO agg_week (
  kind, subject, org_id, bucket, api_id, path, method, hits, success, error, sum_request_time,
  sum_latency, sum_upstream, max_latency, max_upstream, min_latency_ok, min_upstream_ok,
  min_latency_all, min_upstream_all, last_hit, api_name, codes
)
SELECT n.kind, n.subject, n.org_id, n.week, n.api_id, n.path, n.method, sum(n.hits), sum(n.success),
  sum(n.error), sum(n.sum_request_time), sum(n.sum_latency), sum(n.sum_upstream), max(n.max_latency),
  max(n.max_upstream), min(n.min_latency_ok), min(n.min_upstream_ok), min(n.min_latency_all),
  min(n.min_upstream_all), max(n.last_hit), n.week_api_name, coalesce(w.codes, '{}')
FROM named AS n
LEFT JOIN week_codes AS w USING (kind, subject, org_id, week, api_id, path, method)
GROUP BY n.kind, n.subject, n.org_id, n.week, n.api_id, n.path, n.method, n.week_api_name;
