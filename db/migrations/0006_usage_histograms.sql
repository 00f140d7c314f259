CREATE TABLE "contract_usage_daily" (
	"contract_id" uuid NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"status_2xx" integer DEFAULT 0 NOT NULL,
	"status_3xx" integer DEFAULT 0 NOT NULL,
	"status_4xx" integer DEFAULT 0 NOT NULL,
	"status_5xx" integer DEFAULT 0 NOT NULL,
	"latency_ms_sum" bigint DEFAULT 0 NOT NULL,
	"latency_buckets" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"refusals" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"day" timestamp with time zone NOT NULL,
	CONSTRAINT "contract_usage_daily_contract_id_day_pk" PRIMARY KEY("contract_id","day")
);
--> statement-breakpoint
CREATE TABLE "contract_usage_hourly" (
	"contract_id" uuid NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"status_2xx" integer DEFAULT 0 NOT NULL,
	"status_3xx" integer DEFAULT 0 NOT NULL,
	"status_4xx" integer DEFAULT 0 NOT NULL,
	"status_5xx" integer DEFAULT 0 NOT NULL,
	"latency_ms_sum" bigint DEFAULT 0 NOT NULL,
	"latency_buckets" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"refusals" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	CONSTRAINT "contract_usage_hourly_contract_id_hour_pk" PRIMARY KEY("contract_id","hour")
);
--> statement-breakpoint
ALTER TABLE "contract_usage" ADD COLUMN "latency_buckets" integer[] DEFAULT '{}'::integer[] NOT NULL;--> statement-breakpoint
ALTER TABLE "contract_usage" ADD COLUMN "refusals" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "contract_usage_daily" ADD CONSTRAINT "contract_usage_daily_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_usage_hourly" ADD CONSTRAINT "contract_usage_hourly_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE cascade ON UPDATE no action;