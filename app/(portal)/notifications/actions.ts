"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { markNotificationsRead } from "@/lib/domain/notifications";

export const markNotificationsReadAction = actorAction(z.object({ id: z.string().optional() }), async (actor, input) => {
  const count = await markNotificationsRead(await getDb(), actor, input.id ? [input.id] : "all");
  revalidatePath("/", "layout");
  return { ok: true, message: count === 1 ? "1 notification marked as read." : `${count} notifications marked as read.` };
});
