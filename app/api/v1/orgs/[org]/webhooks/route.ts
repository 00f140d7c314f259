import { route } from "@/lib/api/handler";
import { createWebhookEndpointOperation, listWebhookEndpointsOperation } from "@/lib/api/operations/webhooks";
export const GET = route(listWebhookEndpointsOperation);
export const POST = route(createWebhookEndpointOperation);
