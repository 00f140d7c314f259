"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createContract } from "@/lib/domain/contracts";

/** The Create contract form of an API page; `acceptTerms` is its "I accept the terms of use" box. */
export const createContractAction = actorAction(
  z.object({
    clientVersionId: z.string().min(1, "Choose a client"),
    apiVersionId: z.string(),
    planVersionId: z.string().min(1, "Choose a plan"),
    // A ticked box sends "on"; an unticked one sends nothing, which the domain reads as not accepted.
    acceptTerms: z.string().optional().transform((v) => (v ? true : undefined)),
  }),
  async (actor, input) => {
    const contract = await createContract(await getDb(), actor, input);
    revalidatePath("/", "layout");
    const status: string = contract.status;
    return { ok: true, message: status === "Active" ? "Contract created" : "Awaiting approval", data: { status } };
  },
);
