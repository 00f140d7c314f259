CREATE TABLE "sessions" (
	"id_digest" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_versions" DROP CONSTRAINT "client_versions_api_key_unique";--> statement-breakpoint
ALTER TABLE "client_versions" DROP CONSTRAINT "client_versions_previous_api_key_unique";--> statement-breakpoint
ALTER TABLE "client_versions" ALTER COLUMN "api_key" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "client_versions" ADD COLUMN "api_key_digest" text;--> statement-breakpoint
-- Existing keys get their digest here; lib/domain/key-vault.ts seals them and empties the plain-text columns at start-up.
UPDATE "client_versions" SET "api_key_digest" = encode(sha256(convert_to("api_key", 'UTF8')), 'hex');--> statement-breakpoint
ALTER TABLE "client_versions" ALTER COLUMN "api_key_digest" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "client_versions" ADD COLUMN "api_key_sealed" text;--> statement-breakpoint
ALTER TABLE "client_versions" ADD COLUMN "previous_api_key_digest" text;--> statement-breakpoint
ALTER TABLE "client_versions" ADD COLUMN "previous_api_key_sealed" text;--> statement-breakpoint
UPDATE "client_versions" SET "previous_api_key_digest" = encode(sha256(convert_to("previous_api_key", 'UTF8')), 'hex') WHERE "previous_api_key" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "client_versions" ADD CONSTRAINT "client_versions_api_key_digest_unique" UNIQUE("api_key_digest");--> statement-breakpoint
ALTER TABLE "client_versions" ADD CONSTRAINT "client_versions_previous_api_key_digest_unique" UNIQUE("previous_api_key_digest");