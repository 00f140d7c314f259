"use server";

import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createApi } from "@/lib/domain/apis";
import { createClient } from "@/lib/domain/clients";
import { addMember, changeMemberRole, removeMember } from "@/lib/domain/organizations";
import { isAdmin, type Role } from "@/lib/domain/permissions";
import { createPlan } from "@/lib/domain/plans";

const checkbox = z.string().optional().transform((value) => value === "on" || value === "true");
const optionalText = z.string().optional().transform((value) => (value?.trim() ? value.trim() : undefined));
const orgRef = { orgId: z.string(), orgSlug: z.string() };

export const createApiAction = actorAction(
  z.object({
    ...orgRef,
    name: z.string(),
    slug: z.string(),
    description: z.string().default(""),
    version: z.string().default("1.0"),
    endpoint: optionalText,
    isPublic: checkbox,
    tags: z.string().default(""),
  }),
  async (actor, { orgId, orgSlug, tags, ...input }) => {
    const { api, version } = await createApi(await getDb(), actor, {
      orgId,
      ...input,
      endpoint: input.endpoint ?? null,
      tags: tags.split(",").map((t) => t.trim()).filter(Boolean),
    });
    redirect(`/manage/${orgSlug}/apis/${api.slug}/${encodeURIComponent(version.version)}`);
  },
);

export const createPlanAction = actorAction(
  z.object({ ...orgRef, name: z.string(), slug: z.string(), description: z.string().default(""), version: z.string().default("1.0") }),
  async (actor, { orgId, orgSlug, ...input }) => {
    const { plan, version } = await createPlan(await getDb(), actor, { orgId, ...input });
    redirect(`/manage/${orgSlug}/plans/${plan.slug}/${encodeURIComponent(version.version)}`);
  },
);

export const createClientAction = actorAction(
  z.object({ ...orgRef, name: z.string(), slug: optionalText, description: z.string().default(""), version: z.string().default("1.0") }),
  async (actor, { orgId, orgSlug, ...input }) => {
    const { client, version } = await createClient(await getDb(), actor, { orgId, ...input });
    redirect(`/manage/${orgSlug}/clients/${client.slug}/${encodeURIComponent(version.version)}`);
  },
);

export const addMemberAction = actorAction(z.object({ orgId: z.string(), email: z.string(), role: z.string() }), async (actor, input) => {
  // The domain rule parses the role; the cast only satisfies the compiler.
  await addMember(await getDb(), actor, { ...input, role: input.role as Role });
  refresh();
  return { ok: true, message: `${input.email.trim()} was added.` };
});

export const changeMemberRoleAction = actorAction(z.object({ orgId: z.string(), userId: z.string(), role: z.string() }), async (actor, input) => {
  await changeMemberRole(await getDb(), actor, { ...input, role: input.role as Role });
  refresh();
  return { ok: true, message: "The role was changed." };
});

export const removeMemberAction = actorAction(z.object({ orgId: z.string(), userId: z.string() }), async (actor, input) => {
  await removeMember(await getDb(), actor, input);
  // Leaving an organization ends access to its page.
  if (input.userId === actor.userId && !isAdmin(actor)) redirect("/manage");
  refresh();
  return { ok: true, message: "The member was removed." };
});
