CREATE TABLE "api_version_usage" (
	"api_version_id" uuid NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"status_2xx" integer DEFAULT 0 NOT NULL,
	"status_3xx" integer DEFAULT 0 NOT NULL,
	"status_4xx" integer DEFAULT 0 NOT NULL,
	"status_5xx" integer DEFAULT 0 NOT NULL,
	"latency_ms_sum" bigint DEFAULT 0 NOT NULL,
	"latency_buckets" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"refusals" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	CONSTRAINT "api_version_usage_api_version_id_minute_pk" PRIMARY KEY("api_version_id","minute")
);
--> statement-breakpoint
CREATE TABLE "api_version_usage_daily" (
	"api_version_id" uuid NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"status_2xx" integer DEFAULT 0 NOT NULL,
	"status_3xx" integer DEFAULT 0 NOT NULL,
	"status_4xx" integer DEFAULT 0 NOT NULL,
	"status_5xx" integer DEFAULT 0 NOT NULL,
	"latency_ms_sum" bigint DEFAULT 0 NOT NULL,
	"latency_buckets" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"refusals" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"day" timestamp with time zone NOT NULL,
	CONSTRAINT "api_version_usage_daily_api_version_id_day_pk" PRIMARY KEY("api_version_id","day")
);
--> statement-breakpoint
CREATE TABLE "api_version_usage_hourly" (
	"api_version_id" uuid NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"status_2xx" integer DEFAULT 0 NOT NULL,
	"status_3xx" integer DEFAULT 0 NOT NULL,
	"status_4xx" integer DEFAULT 0 NOT NULL,
	"status_5xx" integer DEFAULT 0 NOT NULL,
	"latency_ms_sum" bigint DEFAULT 0 NOT NULL,
	"latency_buckets" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"refusals" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	CONSTRAINT "api_version_usage_hourly_api_version_id_hour_pk" PRIMARY KEY("api_version_id","hour")
);
--> statement-breakpoint
ALTER TABLE "api_version_usage" ADD CONSTRAINT "api_version_usage_api_version_id_api_versions_id_fk" FOREIGN KEY ("api_version_id") REFERENCES "public"."api_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_version_usage_daily" ADD CONSTRAINT "api_version_usage_daily_api_version_id_api_versions_id_fk" FOREIGN KEY ("api_version_id") REFERENCES "public"."api_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_version_usage_hourly" ADD CONSTRAINT "api_version_usage_hourly_api_version_id_api_versions_id_fk" FOREIGN KEY ("api_version_id") REFERENCES "public"."api_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Every grain whole: the minutes not rolled up yet are added to their hours,
WITH src AS (
	SELECT s.contract_id AS k, date_trunc('hour', s."minute", 'UTC') AS t, s.requests, s.status_2xx, s.status_3xx, s.status_4xx, s.status_5xx, s.latency_ms_sum, s.latency_buckets, s.refusals
	FROM "contract_usage" s
),
sums AS (
	SELECT k, t, sum(requests)::int AS requests, sum(status_2xx)::int AS s2xx, sum(status_3xx)::int AS s3xx, sum(status_4xx)::int AS s4xx, sum(status_5xx)::int AS s5xx, sum(latency_ms_sum)::bigint AS latency
	FROM src GROUP BY k, t
),
buckets AS (
	SELECT k, t, array_agg(n ORDER BY i) AS b
	FROM (SELECT k, t, x.i, sum(x.v)::int AS n FROM src, unnest(src.latency_buckets) WITH ORDINALITY AS x(v, i) GROUP BY k, t, x.i) AS per_bucket
	GROUP BY k, t
),
refused AS (
	SELECT k, t, jsonb_object_agg(code, n) AS f
	FROM (SELECT k, t, e.code, sum(e.n::bigint) AS n FROM src, jsonb_each_text(src.refusals) AS e(code, n) GROUP BY k, t, e.code) AS per_code
	GROUP BY k, t
)
INSERT INTO "contract_usage_hourly" AS g ("contract_id", "hour", requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
SELECT sums.k, sums.t, sums.requests, sums.s2xx, sums.s3xx, sums.s4xx, sums.s5xx, sums.latency, coalesce(buckets.b, '{}'::integer[]), coalesce(refused.f, '{}'::jsonb)
FROM sums LEFT JOIN buckets USING (k, t) LEFT JOIN refused USING (k, t)
ON CONFLICT ("contract_id", "hour") DO UPDATE SET
	requests = g.requests + excluded.requests,
	status_2xx = g.status_2xx + excluded.status_2xx,
	status_3xx = g.status_3xx + excluded.status_3xx,
	status_4xx = g.status_4xx + excluded.status_4xx,
	status_5xx = g.status_5xx + excluded.status_5xx,
	latency_ms_sum = g.latency_ms_sum + excluded.latency_ms_sum,
	latency_buckets = array(
		SELECT coalesce(a, 0) + coalesce(b, 0)
		FROM unnest(g.latency_buckets, excluded.latency_buckets) WITH ORDINALITY AS x(a, b, i) ORDER BY i),
	refusals = (
		SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb)
		FROM (SELECT k, sum(v::bigint) AS n
			FROM (SELECT * FROM jsonb_each_text(g.refusals) UNION ALL SELECT * FROM jsonb_each_text(excluded.refusals)) AS e(k, v)
			GROUP BY k) AS merged);
--> statement-breakpoint
-- then every hour (the minutes' included) to its day; the rollup had moved rows, never copied them.
WITH src AS (
	SELECT s.contract_id AS k, date_trunc('day', s."hour", 'UTC') AS t, s.requests, s.status_2xx, s.status_3xx, s.status_4xx, s.status_5xx, s.latency_ms_sum, s.latency_buckets, s.refusals
	FROM "contract_usage_hourly" s
),
sums AS (
	SELECT k, t, sum(requests)::int AS requests, sum(status_2xx)::int AS s2xx, sum(status_3xx)::int AS s3xx, sum(status_4xx)::int AS s4xx, sum(status_5xx)::int AS s5xx, sum(latency_ms_sum)::bigint AS latency
	FROM src GROUP BY k, t
),
buckets AS (
	SELECT k, t, array_agg(n ORDER BY i) AS b
	FROM (SELECT k, t, x.i, sum(x.v)::int AS n FROM src, unnest(src.latency_buckets) WITH ORDINALITY AS x(v, i) GROUP BY k, t, x.i) AS per_bucket
	GROUP BY k, t
),
refused AS (
	SELECT k, t, jsonb_object_agg(code, n) AS f
	FROM (SELECT k, t, e.code, sum(e.n::bigint) AS n FROM src, jsonb_each_text(src.refusals) AS e(code, n) GROUP BY k, t, e.code) AS per_code
	GROUP BY k, t
)
INSERT INTO "contract_usage_daily" AS g ("contract_id", "day", requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
SELECT sums.k, sums.t, sums.requests, sums.s2xx, sums.s3xx, sums.s4xx, sums.s5xx, sums.latency, coalesce(buckets.b, '{}'::integer[]), coalesce(refused.f, '{}'::jsonb)
FROM sums LEFT JOIN buckets USING (k, t) LEFT JOIN refused USING (k, t)
ON CONFLICT ("contract_id", "day") DO UPDATE SET
	requests = g.requests + excluded.requests,
	status_2xx = g.status_2xx + excluded.status_2xx,
	status_3xx = g.status_3xx + excluded.status_3xx,
	status_4xx = g.status_4xx + excluded.status_4xx,
	status_5xx = g.status_5xx + excluded.status_5xx,
	latency_ms_sum = g.latency_ms_sum + excluded.latency_ms_sum,
	latency_buckets = array(
		SELECT coalesce(a, 0) + coalesce(b, 0)
		FROM unnest(g.latency_buckets, excluded.latency_buckets) WITH ORDINALITY AS x(a, b, i) ORDER BY i),
	refusals = (
		SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb)
		FROM (SELECT k, sum(v::bigint) AS n
			FROM (SELECT * FROM jsonb_each_text(g.refusals) UNION ALL SELECT * FROM jsonb_each_text(excluded.refusals)) AS e(k, v)
			GROUP BY k) AS merged);
--> statement-breakpoint
-- The API versions' rows: the sum of their contracts' rows at each grain.
WITH src AS (
	SELECT c.api_version_id AS k, date_trunc('minute', s."minute", 'UTC') AS t, s.requests, s.status_2xx, s.status_3xx, s.status_4xx, s.status_5xx, s.latency_ms_sum, s.latency_buckets, s.refusals
	FROM "contract_usage" s
	JOIN "contracts" c ON c.id = s.contract_id
),
sums AS (
	SELECT k, t, sum(requests)::int AS requests, sum(status_2xx)::int AS s2xx, sum(status_3xx)::int AS s3xx, sum(status_4xx)::int AS s4xx, sum(status_5xx)::int AS s5xx, sum(latency_ms_sum)::bigint AS latency
	FROM src GROUP BY k, t
),
buckets AS (
	SELECT k, t, array_agg(n ORDER BY i) AS b
	FROM (SELECT k, t, x.i, sum(x.v)::int AS n FROM src, unnest(src.latency_buckets) WITH ORDINALITY AS x(v, i) GROUP BY k, t, x.i) AS per_bucket
	GROUP BY k, t
),
refused AS (
	SELECT k, t, jsonb_object_agg(code, n) AS f
	FROM (SELECT k, t, e.code, sum(e.n::bigint) AS n FROM src, jsonb_each_text(src.refusals) AS e(code, n) GROUP BY k, t, e.code) AS per_code
	GROUP BY k, t
)
INSERT INTO "api_version_usage" AS g ("api_version_id", "minute", requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
SELECT sums.k, sums.t, sums.requests, sums.s2xx, sums.s3xx, sums.s4xx, sums.s5xx, sums.latency, coalesce(buckets.b, '{}'::integer[]), coalesce(refused.f, '{}'::jsonb)
FROM sums LEFT JOIN buckets USING (k, t) LEFT JOIN refused USING (k, t)
ON CONFLICT ("api_version_id", "minute") DO UPDATE SET
	requests = g.requests + excluded.requests,
	status_2xx = g.status_2xx + excluded.status_2xx,
	status_3xx = g.status_3xx + excluded.status_3xx,
	status_4xx = g.status_4xx + excluded.status_4xx,
	status_5xx = g.status_5xx + excluded.status_5xx,
	latency_ms_sum = g.latency_ms_sum + excluded.latency_ms_sum,
	latency_buckets = array(
		SELECT coalesce(a, 0) + coalesce(b, 0)
		FROM unnest(g.latency_buckets, excluded.latency_buckets) WITH ORDINALITY AS x(a, b, i) ORDER BY i),
	refusals = (
		SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb)
		FROM (SELECT k, sum(v::bigint) AS n
			FROM (SELECT * FROM jsonb_each_text(g.refusals) UNION ALL SELECT * FROM jsonb_each_text(excluded.refusals)) AS e(k, v)
			GROUP BY k) AS merged);
--> statement-breakpoint
-- Hours of the API versions.
WITH src AS (
	SELECT c.api_version_id AS k, date_trunc('hour', s."hour", 'UTC') AS t, s.requests, s.status_2xx, s.status_3xx, s.status_4xx, s.status_5xx, s.latency_ms_sum, s.latency_buckets, s.refusals
	FROM "contract_usage_hourly" s
	JOIN "contracts" c ON c.id = s.contract_id
),
sums AS (
	SELECT k, t, sum(requests)::int AS requests, sum(status_2xx)::int AS s2xx, sum(status_3xx)::int AS s3xx, sum(status_4xx)::int AS s4xx, sum(status_5xx)::int AS s5xx, sum(latency_ms_sum)::bigint AS latency
	FROM src GROUP BY k, t
),
buckets AS (
	SELECT k, t, array_agg(n ORDER BY i) AS b
	FROM (SELECT k, t, x.i, sum(x.v)::int AS n FROM src, unnest(src.latency_buckets) WITH ORDINALITY AS x(v, i) GROUP BY k, t, x.i) AS per_bucket
	GROUP BY k, t
),
refused AS (
	SELECT k, t, jsonb_object_agg(code, n) AS f
	FROM (SELECT k, t, e.code, sum(e.n::bigint) AS n FROM src, jsonb_each_text(src.refusals) AS e(code, n) GROUP BY k, t, e.code) AS per_code
	GROUP BY k, t
)
INSERT INTO "api_version_usage_hourly" AS g ("api_version_id", "hour", requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
SELECT sums.k, sums.t, sums.requests, sums.s2xx, sums.s3xx, sums.s4xx, sums.s5xx, sums.latency, coalesce(buckets.b, '{}'::integer[]), coalesce(refused.f, '{}'::jsonb)
FROM sums LEFT JOIN buckets USING (k, t) LEFT JOIN refused USING (k, t)
ON CONFLICT ("api_version_id", "hour") DO UPDATE SET
	requests = g.requests + excluded.requests,
	status_2xx = g.status_2xx + excluded.status_2xx,
	status_3xx = g.status_3xx + excluded.status_3xx,
	status_4xx = g.status_4xx + excluded.status_4xx,
	status_5xx = g.status_5xx + excluded.status_5xx,
	latency_ms_sum = g.latency_ms_sum + excluded.latency_ms_sum,
	latency_buckets = array(
		SELECT coalesce(a, 0) + coalesce(b, 0)
		FROM unnest(g.latency_buckets, excluded.latency_buckets) WITH ORDINALITY AS x(a, b, i) ORDER BY i),
	refusals = (
		SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb)
		FROM (SELECT k, sum(v::bigint) AS n
			FROM (SELECT * FROM jsonb_each_text(g.refusals) UNION ALL SELECT * FROM jsonb_each_text(excluded.refusals)) AS e(k, v)
			GROUP BY k) AS merged);
--> statement-breakpoint
-- Days of the API versions.
WITH src AS (
	SELECT c.api_version_id AS k, date_trunc('day', s."day", 'UTC') AS t, s.requests, s.status_2xx, s.status_3xx, s.status_4xx, s.status_5xx, s.latency_ms_sum, s.latency_buckets, s.refusals
	FROM "contract_usage_daily" s
	JOIN "contracts" c ON c.id = s.contract_id
),
sums AS (
	SELECT k, t, sum(requests)::int AS requests, sum(status_2xx)::int AS s2xx, sum(status_3xx)::int AS s3xx, sum(status_4xx)::int AS s4xx, sum(status_5xx)::int AS s5xx, sum(latency_ms_sum)::bigint AS latency
	FROM src GROUP BY k, t
),
buckets AS (
	SELECT k, t, array_agg(n ORDER BY i) AS b
	FROM (SELECT k, t, x.i, sum(x.v)::int AS n FROM src, unnest(src.latency_buckets) WITH ORDINALITY AS x(v, i) GROUP BY k, t, x.i) AS per_bucket
	GROUP BY k, t
),
refused AS (
	SELECT k, t, jsonb_object_agg(code, n) AS f
	FROM (SELECT k, t, e.code, sum(e.n::bigint) AS n FROM src, jsonb_each_text(src.refusals) AS e(code, n) GROUP BY k, t, e.code) AS per_code
	GROUP BY k, t
)
INSERT INTO "api_version_usage_daily" AS g ("api_version_id", "day", requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
SELECT sums.k, sums.t, sums.requests, sums.s2xx, sums.s3xx, sums.s4xx, sums.s5xx, sums.latency, coalesce(buckets.b, '{}'::integer[]), coalesce(refused.f, '{}'::jsonb)
FROM sums LEFT JOIN buckets USING (k, t) LEFT JOIN refused USING (k, t)
ON CONFLICT ("api_version_id", "day") DO UPDATE SET
	requests = g.requests + excluded.requests,
	status_2xx = g.status_2xx + excluded.status_2xx,
	status_3xx = g.status_3xx + excluded.status_3xx,
	status_4xx = g.status_4xx + excluded.status_4xx,
	status_5xx = g.status_5xx + excluded.status_5xx,
	latency_ms_sum = g.latency_ms_sum + excluded.latency_ms_sum,
	latency_buckets = array(
		SELECT coalesce(a, 0) + coalesce(b, 0)
		FROM unnest(g.latency_buckets, excluded.latency_buckets) WITH ORDINALITY AS x(a, b, i) ORDER BY i),
	refusals = (
		SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb)
		FROM (SELECT k, sum(v::bigint) AS n
			FROM (SELECT * FROM jsonb_each_text(g.refusals) UNION ALL SELECT * FROM jsonb_each_text(excluded.refusals)) AS e(k, v)
			GROUP BY k) AS merged);
