import { route } from "@/lib/api/handler";
import { revealClientApiKey } from "@/lib/api/operations/clients";

export const GET = route(revealClientApiKey);
