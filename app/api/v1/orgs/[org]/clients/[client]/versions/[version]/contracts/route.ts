import { route } from "@/lib/api/handler";
import { createClientVersionContract, listClientVersionContracts } from "@/lib/api/operations/clients";

export const GET = route(listClientVersionContracts);
export const POST = route(createClientVersionContract);
