import { route } from "@/lib/api/handler";
import { getContractHistory } from "@/lib/api/operations/contracts";
export const GET = route(getContractHistory);
