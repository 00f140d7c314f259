import { route } from "@/lib/api/handler";
import { resumeOneContract } from "@/lib/api/operations/contracts";
export const POST = route(resumeOneContract);
