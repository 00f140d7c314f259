-- Trigram indexes (gin_trgm_ops) below: pg_trgm is a trusted extension, which a database owner may create.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "contracts_api_version_plan_idx";--> statement-breakpoint
CREATE INDEX "client_versions_version_idx" ON "client_versions" USING btree ("version");--> statement-breakpoint
CREATE INDEX "client_versions_version_trgm_idx" ON "client_versions" USING gin ("version" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "clients_name_trgm_idx" ON "clients" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contracts_api_version_creator_idx" ON "contracts" USING btree ("api_version_id","created_by_id","created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "organizations_name_trgm_idx" ON "organizations" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "organizations_slug_trgm_idx" ON "organizations" USING gin ("slug" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "users_name_trgm_idx" ON "users" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contracts_api_version_plan_idx" ON "contracts" USING btree ("api_version_id","plan_version_id","created_at" DESC NULLS FIRST,"id");