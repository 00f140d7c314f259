import { route } from "@/lib/api/handler";
import { rotateClientApiKey } from "@/lib/api/operations/clients";

export const POST = route(rotateClientApiKey);
