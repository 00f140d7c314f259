import { route } from "@/lib/api/handler";
import { setOneContractEndDate } from "@/lib/api/operations/contracts";
export const PUT = route(setOneContractEndDate);
