import { route } from "@/lib/api/handler";
import { deleteContract, getOneContract } from "@/lib/api/operations/contracts";
export const GET = route(getOneContract);
export const DELETE = route(deleteContract);
