import { route } from "@/lib/api/handler";
import { markNotificationsReadOperation } from "@/lib/api/operations/notifications";

export const POST = route(markNotificationsReadOperation);
