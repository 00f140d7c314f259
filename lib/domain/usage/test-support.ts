import type { Db } from "@/db/client";
import { eq } from "drizzle-orm";
import { contracts, type Policy } from "@/db/schema";
import { createApi, offerPlan, publishApiVersion } from "../apis";
import { createContract } from "../contracts";
import type { Actor } from "../permissions";
import { makeClient, makeLockedPlan, makeOrg, makeUser, personalOrgId } from "../test-fixtures";
import { LATENCY_BUCKET_COUNT } from "./histogram";
import { addUsageMinutes } from "./write";

export interface UsageCountsInput {
  requests: number;
  s3xx?: number;
  s4xx?: number;
  s5xx?: number;
  latencyMsSum?: number;
  /** Bucket index -> count. */
  buckets?: Record<number, number>;
  refusals?: Record<string, number>;
}

/** Counts a minute of a contract as the gateway does, at every grain of the contract and its API version; 2xx is what the other outcomes leave. */
export async function addUsage(db: Db, contractId: string, at: Date | string, c: UsageCountsInput) {
  const refused = Object.values(c.refusals ?? {}).reduce((a, b) => a + b, 0);
  const s4xx = (c.s4xx ?? 0) + refused;
  const [contract] = await db.select({ apiVersionId: contracts.apiVersionId }).from(contracts).where(eq(contracts.id, contractId));
  await addUsageMinutes(db, [
    {
      contractId,
      apiVersionId: contract.apiVersionId,
      minute: new Date(at).getTime(),
      requests: c.requests,
      s2xx: c.requests - (c.s3xx ?? 0) - s4xx - (c.s5xx ?? 0),
      s3xx: c.s3xx ?? 0,
      s4xx,
      s5xx: c.s5xx ?? 0,
      latencyMsSum: c.latencyMsSum ?? c.requests * 10,
      buckets: c.buckets ? Array.from({ length: LATENCY_BUCKET_COUNT }, (_, i) => c.buckets![i] ?? 0) : [],
      refusals: c.refusals,
    },
  ]);
}

/** A published API whose one plan has these policies. */
export async function makeApiWithPolicies(db: Db, provider: Actor, orgId: string, policies: Policy[], slug: string) {
  const { planVersionId } = await makeLockedPlan(db, provider, orgId, policies);
  const { version } = await createApi(db, provider, { orgId, slug, name: `API ${slug}`, endpoint: "http://127.0.0.1:9/usage" });
  await offerPlan(db, provider, { apiVersionId: version.id, planVersionId, requiresApproval: false });
  await publishApiVersion(db, provider, version.id);
  return { apiVersionId: version.id, planVersionId };
}

export const QUOTA_POLICIES: Policy[] = [
  { type: "quota", limit: 100, period: "day" },
  { type: "rate-limit", limit: 10, period: "second" },
  { type: "quota", limit: 1000, period: "month" },
];

/**
 * A provider organization with two APIs (A with quotas, B with a rate limit), a consumer whose
 * client version has a contract with each, and a second consumer with a contract with A.
 */
export async function makeUsageScene(db: Db) {
  const { org, owner: provider } = await makeOrg(db, await makeUser(db, "manager"));
  const apiA = await makeApiWithPolicies(db, provider, org.id, QUOTA_POLICIES, "alpha");
  const apiB = await makeApiWithPolicies(db, provider, org.id, [{ type: "rate-limit", limit: 5, period: "second" }], "beta");
  const consumer = await makeUser(db, "portal", "Casey Consumer");
  const other = await makeUser(db, "portal", "Olive Other");
  const stranger = await makeUser(db, "portal", "Sam Stranger");
  const cv1 = await makeClient(db, consumer, personalOrgId(consumer));
  const cv2 = await makeClient(db, other, personalOrgId(other));
  const contract = async (actor: Actor, clientVersionId: string, api: { apiVersionId: string; planVersionId: string }) =>
    (await createContract(db, actor, { clientVersionId, ...api })).id;
  return {
    orgId: org.id,
    provider,
    consumer,
    other,
    stranger,
    apiA,
    apiB,
    cv1,
    cv2,
    contracts: {
      consumerA: await contract(consumer, cv1.clientVersionId, apiA),
      consumerB: await contract(consumer, cv1.clientVersionId, apiB),
      otherA: await contract(other, cv2.clientVersionId, apiA),
    },
  };
}
