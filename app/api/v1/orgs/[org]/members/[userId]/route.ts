import { route } from "@/lib/api/handler";
import { changeMemberRoleOperation, getMember, removeMemberOperation } from "@/lib/api/operations/organizations";

export const GET = route(getMember);
export const PATCH = route(changeMemberRoleOperation);
export const DELETE = route(removeMemberOperation);
