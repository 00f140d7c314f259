"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { approveContract, rejectContract } from "@/lib/domain/contracts";
import { DomainError } from "@/lib/domain/errors";
import { decideContracts } from "@/lib/domain/contracts";

const plural = (n: number) => `${n} request${n === 1 ? "" : "s"}`;

export const approveAction = actorAction(z.object({ contractId: z.string() }), async (actor, { contractId }) => {
  await approveContract(await getDb(), actor, contractId);
  refresh();
  return { ok: true, message: "The request was approved; the contract is active." };
});

export const rejectAction = actorAction(z.object({ contractId: z.string(), reason: z.string().default("") }), async (actor, input) => {
  await rejectContract(await getDb(), actor, input);
  refresh();
  return { ok: true, message: "The request was rejected; the requester sees the reason." };
});

const ids = z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(z.string()));

/** Approves or rejects the selected requests; those that cannot be decided are reported, the rest go through. */
export const decideSelectedAction = actorAction(
  z.object({ decision: z.enum(["approve", "reject"]), contractIds: ids, reason: z.string().default("") }),
  async (actor, input) => {
    const outcome = await decideContracts(
      await getDb(),
      actor,
      input.decision === "approve" ? { decision: "approve", contractIds: input.contractIds } : { decision: "reject", contractIds: input.contractIds, reason: input.reason },
    );
    refresh();
    const verb = input.decision === "approve" ? "Approved" : "Rejected";
    if (outcome.decided.length === 0) {
      throw new DomainError("invalid_state", `No request was ${verb.toLowerCase()}: ${outcome.failed[0]?.message ?? "nothing was selected."}`);
    }
    const failed = outcome.failed.length > 0 ? ` ${plural(outcome.failed.length)} could not be: ${outcome.failed[0].message}` : "";
    return { ok: true, message: `${verb} ${plural(outcome.decided.length)}.${failed}` };
  },
);
