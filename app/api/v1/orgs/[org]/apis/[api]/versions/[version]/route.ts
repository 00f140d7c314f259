import { route } from "@/lib/api/handler";
import { getManagedApiVersionOperation, updateApiVersionOperation } from "@/lib/api/operations/apis";
export const GET = route(getManagedApiVersionOperation);
export const PATCH = route(updateApiVersionOperation);
