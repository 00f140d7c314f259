"use server";

import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createPlanVersion, lockPlanVersion, updatePlanPolicies } from "@/lib/domain/plans";

/** The policies editor sends its list as JSON; the domain rule validates every policy. */
const policiesJson = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "The policies could not be read." });
    return z.NEVER;
  }
});

export const updatePoliciesAction = actorAction(z.object({ planVersionId: z.string(), policies: policiesJson }), async (actor, input) => {
  await updatePlanPolicies(await getDb(), actor, input as Parameters<typeof updatePlanPolicies>[2]);
  refresh();
  return { ok: true, message: "The policies were saved." };
});

export const lockPlanVersionAction = actorAction(z.object({ planVersionId: z.string() }), async (actor, { planVersionId }) => {
  await lockPlanVersion(await getDb(), actor, planVersionId);
  refresh();
  return { ok: true, message: "The plan version is locked." };
});

export const createPlanVersionAction = actorAction(
  z.object({ planId: z.string(), copyFromVersionId: z.string(), version: z.string(), orgSlug: z.string(), planSlug: z.string() }),
  async (actor, { orgSlug, planSlug, ...input }) => {
    const version = await createPlanVersion(await getDb(), actor, input);
    redirect(`/manage/${orgSlug}/plans/${planSlug}/${encodeURIComponent(version.version)}`);
  },
);
