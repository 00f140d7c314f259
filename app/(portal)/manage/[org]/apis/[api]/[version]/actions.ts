"use server";

import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createApiVersion, offerPlan, publishApiVersion, retireApiVersion, setRequiresApproval, updateApiVersion, withdrawPlanOffer } from "@/lib/domain/apis";
import { breakContract, movePlan, resumeContract, setContractEndDate, suspendContract } from "@/lib/domain/contracts";

const checkbox = z.string().optional().transform((value) => value === "on" || value === "true");
const apiVersionRef = { apiVersionId: z.string() };
const planRef = { apiVersionId: z.string(), planVersionId: z.string() };

export const updateApiVersionAction = actorAction(
  z.object({
    ...apiVersionRef,
    // Present only while the endpoint and visibility may still change (before publishing).
    editsEndpoint: z.string().optional(),
    endpoint: z.string().optional(),
    isPublic: checkbox,
    docs: z.string().default(""),
    openapi: z.string().default(""),
  }),
  async (actor, input) => {
    const endpoint = input.endpoint?.trim() ?? "";
    await updateApiVersion(await getDb(), actor, {
      apiVersionId: input.apiVersionId,
      docs: input.docs,
      openapi: input.openapi.trim() ? input.openapi : null,
      ...(input.editsEndpoint ? { endpoint: endpoint || null, isPublic: input.isPublic } : {}),
    });
    refresh();
    return { ok: true, message: "The changes were saved." };
  },
);

export const offerPlanAction = actorAction(z.object({ ...planRef, requiresApproval: checkbox }), async (actor, input) => {
  await offerPlan(await getDb(), actor, input);
  refresh();
  return { ok: true, message: "The plan is offered." };
});

export const withdrawPlanAction = actorAction(z.object(planRef), async (actor, input) => {
  await withdrawPlanOffer(await getDb(), actor, input);
  refresh();
  return { ok: true, message: "The plan is no longer offered." };
});

export const setRequiresApprovalAction = actorAction(z.object({ ...planRef, requiresApproval: z.enum(["true", "false"]) }), async (actor, input) => {
  const requiresApproval = input.requiresApproval === "true";
  await setRequiresApproval(await getDb(), actor, { ...input, requiresApproval });
  refresh();
  return { ok: true, message: requiresApproval ? "New contracts on this plan need approval." : "New contracts on this plan are active at once." };
});

export const publishApiVersionAction = actorAction(z.object(apiVersionRef), async (actor, { apiVersionId }) => {
  await publishApiVersion(await getDb(), actor, apiVersionId);
  refresh();
  return { ok: true, message: "The API version is published." };
});

export const retireApiVersionAction = actorAction(z.object(apiVersionRef), async (actor, { apiVersionId }) => {
  await retireApiVersion(await getDb(), actor, apiVersionId);
  refresh();
  return { ok: true, message: "The API version is retired." };
});

export const createApiVersionAction = actorAction(
  z.object({ apiId: z.string(), copyFromVersionId: z.string().optional(), version: z.string(), orgSlug: z.string(), apiSlug: z.string() }),
  async (actor, { orgSlug, apiSlug, ...input }) => {
    const version = await createApiVersion(await getDb(), actor, { ...input, copyFromVersionId: input.copyFromVersionId || undefined });
    redirect(`/manage/${orgSlug}/apis/${apiSlug}/${encodeURIComponent(version.version)}`);
  },
);

export const breakContractAction = actorAction(z.object({ contractId: z.string(), reason: z.string().default("") }), async (actor, input) => {
  await breakContract(await getDb(), actor, { ...input, side: "api" });
  refresh();
  return { ok: true, message: "The contract is broken; the gateway refuses its calls from now on." };
});

export const suspendContractAction = actorAction(z.object({ contractId: z.string(), reason: z.string().default("") }), async (actor, input) => {
  await suspendContract(await getDb(), actor, input);
  refresh();
  return { ok: true, message: "The contract is suspended; the gateway refuses its calls until it is resumed." };
});

export const resumeContractAction = actorAction(z.object({ contractId: z.string() }), async (actor, { contractId }) => {
  await resumeContract(await getDb(), actor, contractId);
  refresh();
  return { ok: true, message: "The contract is resumed; its calls go through again." };
});

/** "2026-12-31T18:00" or with seconds, read as UTC like every time shown in API Management. */
const utcMoment = z
  .string()
  .default("")
  .transform((text) => (text.trim() ? new Date(`${text.trim()}Z`) : null));

export const setContractEndDateAction = actorAction(
  z.object({ contractId: z.string(), endsAt: utcMoment, remove: z.string().optional() }),
  async (actor, { contractId, endsAt, remove }) => {
    if (!remove && (!endsAt || Number.isNaN(endsAt.getTime()))) {
      return { ok: false, error: "Choose a date and time for the end.", code: "validation_failed", fields: { endsAt: "Choose a date and time." } };
    }
    await setContractEndDate(await getDb(), actor, { contractId, endsAt: remove ? null : endsAt });
    refresh();
    return { ok: true, message: remove ? "The contract no longer has an end date." : "The end date is set; the consumer is told." };
  },
);

export const movePlanAction = actorAction(z.object({ contractId: z.string(), planVersionId: z.string(), reason: z.string().default("") }), async (actor, input) => {
  await movePlan(await getDb(), actor, { contractId: input.contractId, planVersionId: input.planVersionId, reason: input.reason.trim() || undefined });
  refresh();
  return { ok: true, message: "The contract is on its new plan; the consumer is told." };
});
