import type { Operation } from "../operation";

export const apisOperations: Operation[] = [];
