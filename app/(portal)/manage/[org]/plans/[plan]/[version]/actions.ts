"use server";

import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createPlanVersion, lockPlanVersion, updatePlanPolicies, updatePlanVersionSettings } from "@/lib/domain/plans";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { renderDocs } from "@/lib/render-docs";

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

/** Empty: no end; otherwise whole days, which the domain bounds. */
const durationDays = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const trimmed = text.trim();
    if (!trimmed) return null;
    if (!/^\d+$/.test(trimmed)) {
      ctx.addIssue({ code: "custom", message: "Whole days only, or empty for no end" });
      return z.NEVER;
    }
    return Number(trimmed);
  });

export const updatePlanSettingsAction = actorAction(z.object({ planVersionId: z.string(), durationDays, terms: z.string().default("") }), async (actor, input) => {
  await updatePlanVersionSettings(await getDb(), actor, input);
  refresh();
  return { ok: true, message: "The duration and terms were saved." };
});

/** Renders terms of use as consumers will read them, without saving; anyone in API Management may preview. */
export const previewTermsAction = actorAction(z.object({ terms: z.string().max(TEXT_LIMITS.docs, "The terms are too long") }), async (_actor, { terms }) => {
  return { ok: true, data: { html: renderDocs(terms) } };
});
