import { route } from "@/lib/api/handler";
import { listMyContracts } from "@/lib/api/operations/contracts";
export const GET = route(listMyContracts);
