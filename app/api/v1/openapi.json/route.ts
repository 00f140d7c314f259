import { route } from "@/lib/api/handler";
import { getOpenApiDocument } from "@/lib/api/operations/catalog";

export const GET = route(getOpenApiDocument);
