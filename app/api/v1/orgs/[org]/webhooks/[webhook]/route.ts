import { route } from "@/lib/api/handler";
import { deleteWebhookEndpointOperation, getWebhookEndpointOperation, updateWebhookEndpointOperation } from "@/lib/api/operations/webhooks";
export const GET = route(getWebhookEndpointOperation);
export const PATCH = route(updateWebhookEndpointOperation);
export const DELETE = route(deleteWebhookEndpointOperation);
