import { problemResponse } from "@/lib/api/handler";

/** Any other address under /api/v1 names nothing: a 404 problem, as programs expect, not the portal's page. */
function notFound(): Response {
  return problemResponse("not_found", 404, "There is no such API operation; GET /api/v1/openapi.json lists them all.");
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
