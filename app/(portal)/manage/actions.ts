"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createOrganization } from "@/lib/domain/organizations";

export const createOrganizationAction = actorAction(
  z.object({ name: z.string(), slug: z.string(), description: z.string().default("") }),
  async (actor, input) => {
    const org = await createOrganization(await getDb(), actor, input);
    redirect(`/manage/${org.slug}`);
  },
);
