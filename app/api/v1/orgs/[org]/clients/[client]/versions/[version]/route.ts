import { route } from "@/lib/api/handler";
import { getClientVersion } from "@/lib/api/operations/clients";

export const GET = route(getClientVersion);
