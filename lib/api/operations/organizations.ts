import type { Operation } from "../operation";

export const organizationsOperations: Operation[] = [];
