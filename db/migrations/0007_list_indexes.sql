DROP INDEX "contracts_api_version_idx";--> statement-breakpoint
CREATE INDEX "clients_org_name_idx" ON "clients" USING btree ("org_id","name","id");--> statement-breakpoint
CREATE INDEX "clients_name_idx" ON "clients" USING btree ("name");--> statement-breakpoint
CREATE INDEX "contracts_api_version_created_idx" ON "contracts" USING btree ("api_version_id","created_at","id");--> statement-breakpoint
CREATE INDEX "contracts_api_version_plan_idx" ON "contracts" USING btree ("api_version_id","plan_version_id","created_at");--> statement-breakpoint
CREATE INDEX "contracts_api_version_status_rank_idx" ON "contracts" USING btree ("api_version_id",(case "status" when 'AwaitingApproval' then 0 when 'Active' then 1 when 'Suspended' then 2 when 'Rejected' then 3 when 'Withdrawn' then 4 when 'Broken' then 5 when 'Expired' then 6 end),"created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "contracts_requests_idx" ON "contracts" USING btree (coalesce("pending_plan_requested_at", "created_at"),"id") WHERE "contracts"."status" = 'AwaitingApproval' or ("contracts"."pending_plan_version_id" is not null and "contracts"."status" in ('Active', 'Suspended'));--> statement-breakpoint
CREATE INDEX "notifications_recipient_created_idx" ON "notifications" USING btree ("recipient_id","created_at","id");--> statement-breakpoint
CREATE INDEX "contracts_api_version_idx" ON "contracts" USING btree ("api_version_id","status","created_at");