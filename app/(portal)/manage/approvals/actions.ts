"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction, type ActionResult } from "@/lib/auth/action";
import { approveContract, approvePlanChange, decideContracts, rejectContract, rejectPlanChange } from "@/lib/domain/contracts";
import { DomainError, isDomainError } from "@/lib/domain/errors";

const plural = (n: number) => `${n} request${n === 1 ? "" : "s"}`;

const kind = z.enum(["contract", "planChange"]).default("contract");

/**
 * Runs one decision; a request that no longer awaits a decision (withdrawn, cancelled or decided
 * by someone else) refreshes the list and says so, instead of leaving a row with live buttons.
 */
async function decideOne(planChange: boolean, decide: () => Promise<void>, done: string): Promise<ActionResult> {
  try {
    await decide();
  } catch (error) {
    if (!isDomainError(error) || error.code !== "invalid_state") throw error;
    refresh();
    return {
      ok: true,
      // Read by the table, which says it as information rather than as a success.
      data: { stale: true },
      message: planChange
        ? "That plan change no longer awaits approval: the consumer cancelled it or someone decided it meanwhile. Nothing was changed; the list is up to date."
        : "That request no longer awaits approval: it was withdrawn or decided meanwhile. Nothing was changed; the list is up to date.",
    };
  }
  refresh();
  return { ok: true, message: done };
}

export const approveAction = actorAction(z.object({ contractId: z.string(), kind }), async (actor, { contractId, kind }) => {
  const db = await getDb();
  return kind === "planChange"
    ? decideOne(true, () => approvePlanChange(db, actor, contractId), "The plan change was approved; the contract is on its new plan.")
    : decideOne(false, () => approveContract(db, actor, contractId), "The request was approved; the contract is active.");
});

export const rejectAction = actorAction(z.object({ contractId: z.string(), kind, reason: z.string().default("") }), async (actor, { kind, ...input }) => {
  const db = await getDb();
  return kind === "planChange"
    ? decideOne(true, () => rejectPlanChange(db, actor, input), "The plan change was rejected; the contract stays on its plan and the requester sees the reason.")
    : decideOne(false, () => rejectContract(db, actor, input), "The request was rejected; the requester sees the reason.");
});

const ids = z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(z.string()));

/** Approves or rejects the selected requests and plan changes; those that cannot be decided are reported, the rest go through. */
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
