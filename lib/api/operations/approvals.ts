import type { Operation } from "../operation";

export const approvalsOperations: Operation[] = [];
