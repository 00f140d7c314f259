import type { Operation } from "../operation";

export const plansOperations: Operation[] = [];
