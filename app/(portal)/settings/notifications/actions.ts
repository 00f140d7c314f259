"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { updateEmailPreferences } from "@/lib/domain/email-preferences";

/** The checked boxes arrive as `enabled` (none, one or several); the domain checks each kind. */
export const saveEmailPreferencesAction = actorAction(z.object({ enabled: z.unknown().optional() }), async (actor, input) => {
  await updateEmailPreferences(await getDb(), actor, input);
  revalidatePath("/settings/notifications");
  return { ok: true, message: "Your email preferences were saved." };
});
