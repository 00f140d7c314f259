import { route } from "@/lib/api/handler";
import { getApiVersion } from "@/lib/api/operations/catalog";

export const GET = route(getApiVersion);
