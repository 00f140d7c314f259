CREATE TYPE "public"."contract_event_kind" AS ENUM('requested', 'approved', 'rejected', 'withdrawn', 'broken', 'terms_accepted', 'plan_change_requested', 'plan_change_approved', 'plan_change_rejected', 'plan_change_cancelled', 'plan_changed', 'suspended', 'resumed', 'end_date_set', 'expiry_warned', 'expired');--> statement-breakpoint
CREATE TABLE "contract_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contract_id" uuid NOT NULL,
	"kind" "contract_event_kind" NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text,
	"plan_version_id" uuid,
	"from_plan_version_id" uuid,
	"ends_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "contracts_live_idx";--> statement-breakpoint
ALTER TABLE "contracts" ALTER COLUMN "status" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "ends_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "expiry_warned_days" integer;--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "pending_plan_version_id" uuid;--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "pending_plan_requested_by_id" uuid;--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "pending_plan_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "plan_versions" ADD COLUMN "duration_days" integer;--> statement-breakpoint
ALTER TABLE "plan_versions" ADD COLUMN "terms" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "contract_events" ADD CONSTRAINT "contract_events_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_events" ADD CONSTRAINT "contract_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_events" ADD CONSTRAINT "contract_events_plan_version_id_plan_versions_id_fk" FOREIGN KEY ("plan_version_id") REFERENCES "public"."plan_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_events" ADD CONSTRAINT "contract_events_from_plan_version_id_plan_versions_id_fk" FOREIGN KEY ("from_plan_version_id") REFERENCES "public"."plan_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contract_events_contract_idx" ON "contract_events" USING btree ("contract_id","at");--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_pending_plan_version_id_plan_versions_id_fk" FOREIGN KEY ("pending_plan_version_id") REFERENCES "public"."plan_versions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_pending_plan_requested_by_id_users_id_fk" FOREIGN KEY ("pending_plan_requested_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contracts_ends_at_idx" ON "contracts" USING btree ("ends_at") WHERE "contracts"."ends_at" is not null;--> statement-breakpoint
CREATE INDEX "contracts_pending_plan_idx" ON "contracts" USING btree ("pending_plan_requested_at") WHERE "contracts"."pending_plan_version_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_live_idx" ON "contracts" USING btree ("client_version_id","api_version_id") WHERE "contracts"."status" in ('AwaitingApproval', 'Active', 'Suspended');--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_status_check" CHECK (status in ('AwaitingApproval', 'Active', 'Rejected', 'Withdrawn', 'Broken', 'Suspended', 'Expired'));--> statement-breakpoint
DROP TYPE "public"."contract_status";--> statement-breakpoint
-- The story so far of every existing contract, from the columns that kept it.
INSERT INTO "contract_events" ("contract_id", "kind", "actor_id", "at", "plan_version_id")
  SELECT "id", 'requested', "created_by_id", "created_at", "plan_version_id" FROM "contracts";--> statement-breakpoint
INSERT INTO "contract_events" ("contract_id", "kind", "actor_id", "at", "reason")
  SELECT "id", CASE WHEN "status" = 'Rejected' THEN 'rejected' ELSE 'approved' END::"contract_event_kind", "decided_by_id", "decided_at",
         CASE WHEN "status" = 'Rejected' THEN "reason" END
  FROM "contracts" WHERE "decided_at" IS NOT NULL;--> statement-breakpoint
INSERT INTO "contract_events" ("contract_id", "kind", "actor_id", "at", "reason")
  SELECT "id", lower("status")::"contract_event_kind", "ended_by_id", "ended_at", CASE WHEN "status" = 'Broken' THEN "reason" END
  FROM "contracts" WHERE "ended_at" IS NOT NULL AND "status" IN ('Withdrawn', 'Broken');
