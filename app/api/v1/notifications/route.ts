import { route } from "@/lib/api/handler";
import { listNotificationsOperation } from "@/lib/api/operations/notifications";

export const GET = route(listNotificationsOperation);
