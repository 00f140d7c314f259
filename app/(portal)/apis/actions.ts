"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createContract } from "@/lib/domain/contracts";

export const createContractAction = actorAction(
  z.object({
    clientVersionId: z.string().min(1, "Choose a client"),
    apiVersionId: z.string(),
    planVersionId: z.string().min(1, "Choose a plan"),
  }),
  async (actor, input) => {
    const contract = await createContract(await getDb(), actor, input);
    revalidatePath("/", "layout");
    const status: string = contract.status;
    return { ok: true, message: status === "Active" ? "Contract created" : "Awaiting approval", data: { status } };
  },
);
