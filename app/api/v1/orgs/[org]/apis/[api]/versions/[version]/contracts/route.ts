import { route } from "@/lib/api/handler";
import { listApiVersionContracts } from "@/lib/api/operations/contracts";
export const GET = route(listApiVersionContracts);
