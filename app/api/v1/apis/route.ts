import { route } from "@/lib/api/handler";
import { listApis } from "@/lib/api/operations/catalog";

export const GET = route(listApis);
