import { route } from "@/lib/api/handler";
import { getMe } from "@/lib/api/operations/catalog";

export const GET = route(getMe);
