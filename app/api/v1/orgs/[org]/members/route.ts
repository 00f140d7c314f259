import { route } from "@/lib/api/handler";
import { addMemberOperation, listMembers } from "@/lib/api/operations/organizations";

export const GET = route(listMembers);
export const POST = route(addMemberOperation);
