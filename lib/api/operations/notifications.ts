import type { Operation } from "../operation";

export const notificationsOperations: Operation[] = [];
