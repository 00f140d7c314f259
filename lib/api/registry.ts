import type { Operation } from "./operation";
import { activityOperations } from "./operations/activity";
import { apisOperations } from "./operations/apis";
import { approvalsOperations } from "./operations/approvals";
import { catalogOperations } from "./operations/catalog";
import { clientsOperations } from "./operations/clients";
import { contractsOperations } from "./operations/contracts";
import { notificationsOperations } from "./operations/notifications";
import { organizationsOperations } from "./operations/organizations";
import { plansOperations } from "./operations/plans";
import { webhooksOperations } from "./operations/webhooks";

/** Every /api/v1 operation: what the route files serve and what the OpenAPI document describes. */
export const OPERATIONS: readonly Operation[] = [
  ...catalogOperations,
  ...organizationsOperations,
  ...clientsOperations,
  ...contractsOperations,
  ...approvalsOperations,
  ...apisOperations,
  ...plansOperations,
  ...activityOperations,
  ...notificationsOperations,
  ...webhooksOperations,
];
