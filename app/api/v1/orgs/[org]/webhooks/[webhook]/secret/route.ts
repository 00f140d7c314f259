import { route } from "@/lib/api/handler";
import { rollWebhookSecretOperation } from "@/lib/api/operations/webhooks";
export const POST = route(rollWebhookSecretOperation);
