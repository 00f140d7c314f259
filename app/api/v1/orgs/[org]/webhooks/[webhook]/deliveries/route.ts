import { route } from "@/lib/api/handler";
import { listWebhookDeliveriesOperation } from "@/lib/api/operations/webhooks";
export const GET = route(listWebhookDeliveriesOperation);
