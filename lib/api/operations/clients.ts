import type { Operation } from "../operation";

export const clientsOperations: Operation[] = [];
