import type { Operation } from "../operation";

export const contractsOperations: Operation[] = [];
