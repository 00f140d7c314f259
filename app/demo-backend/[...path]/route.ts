import { demoBackendResponse } from "@/lib/demo/backend";

// The small backend that the demo APIs' endpoints point at, so the gateway works out of the box.
async function handle(request: Request, { params }: { params: Promise<{ path: string[] }> }) {
  return demoBackendResponse(request, (await params).path);
}

export const GET = handle;
export const POST = handle;
export const PUT = handle;
export const PATCH = handle;
export const DELETE = handle;
