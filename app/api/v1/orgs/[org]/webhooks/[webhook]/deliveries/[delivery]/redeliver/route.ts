import { route } from "@/lib/api/handler";
import { redeliverWebhookOperation } from "@/lib/api/operations/webhooks";
export const POST = route(redeliverWebhookOperation);
