import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, or, type SQL } from "drizzle-orm";
import type { Db, Queryable } from "@/db/client";
import { contracts } from "@/db/schema";
import { audit, notify } from "../audit";
import { publishChanges } from "../events";
import { describeContract, selectContractContext } from "./context";
import { recordContractEvents } from "./history";
import { formatMoment } from "./lifecycle";
import { RUNNING_CONTRACT_STATUSES } from "./statuses";

/** At most this many contracts expire, and this many warnings go out, per run: the rest wait for the next. */
export const EXPIRY_BATCH = 100;

/** Warnings before a contract's end, in days, largest first: each is sent once. */
export const EXPIRY_WARNING_DAYS = [7, 1] as const;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExpiryRun {
  /** Contracts turned Expired. */
  expired: string[];
  /** Contracts warned, with the warning sent (days before the end). */
  warned: { contractId: string; days: number }[];
}

/** Running contracts that end, with what a notification names them by; locked, skipping rows another run holds. */
function endingContracts(tx: Queryable, where: SQL | undefined) {
  return selectContractContext(tx)
    .where(and(inArray(contracts.status, RUNNING_CONTRACT_STATUSES), isNotNull(contracts.endsAt), where))
    .orderBy(asc(contracts.endsAt), asc(contracts.id))
    .limit(EXPIRY_BATCH)
    .for("update", { of: contracts, skipLocked: true });
}

/**
 * The expiry job, run by the server every minute (no actor): running contracts past their end
 * become Expired, and those near it get their 7-day and 1-day warnings, each once. Idempotent, and
 * bounded per run; two processes running it at once skip each other's rows.
 */
export async function runContractExpiry(db: Db, now = new Date()): Promise<ExpiryRun> {
  const run: ExpiryRun = { expired: [], warned: [] };
  await db.transaction(async (tx) => {
    for (const ctx of await endingContracts(tx, lte(contracts.endsAt, now))) {
      const id = ctx.contract.id;
      await tx
        .update(contracts)
        .set({ status: "Expired", endedAt: now, endedById: null, pendingPlanVersionId: null, pendingPlanRequestedById: null, pendingPlanRequestedAt: null })
        .where(eq(contracts.id, id));
      await recordContractEvents(tx, id, { kind: "expired", actorId: null, at: now, endsAt: ctx.contract.endsAt });
      const entry = { action: "contract.expired", entityType: "contract", entityId: id, details: { contract: describeContract(ctx), endsAt: ctx.contract.endsAt?.toISOString() } };
      await audit(tx, null, { orgId: ctx.clientOrgId, ...entry });
      if (ctx.apiOrgId !== ctx.clientOrgId) await audit(tx, null, { orgId: ctx.apiOrgId, ...entry });
      if (ctx.contract.createdById) {
        await notify(tx, [ctx.contract.createdById], { kind: "contract_expired", text: `Your contract ${describeContract(ctx)} ended on ${formatMoment(ctx.contract.endsAt!)}. Request it again to renew it.`, link: "/my-clients" });
      }
      run.expired.push(id);
    }

    // Due: inside a warning's window and not yet warned with that warning or a later one.
    const due = and(
      gt(contracts.endsAt, now),
      or(...EXPIRY_WARNING_DAYS.map((d) => and(lte(contracts.endsAt, new Date(now.getTime() + d * DAY_MS)), or(isNull(contracts.expiryWarnedDays), gt(contracts.expiryWarnedDays, d))))),
    );
    for (const ctx of await endingContracts(tx, due)) {
      const left = ctx.contract.endsAt!.getTime() - now.getTime();
      // The smallest window the contract is in: a contract 12 hours from its end gets the 1-day warning only.
      const days = [...EXPIRY_WARNING_DAYS].reverse().find((d) => left <= d * DAY_MS)!;
      if (ctx.contract.expiryWarnedDays !== null && ctx.contract.expiryWarnedDays <= days) continue;
      await tx.update(contracts).set({ expiryWarnedDays: days }).where(eq(contracts.id, ctx.contract.id));
      await recordContractEvents(tx, ctx.contract.id, { kind: "expiry_warned", actorId: null, at: now, endsAt: ctx.contract.endsAt });
      if (ctx.contract.createdById) {
        await notify(tx, [ctx.contract.createdById], {
          kind: "contract_expiring",
          text: `Your contract ${describeContract(ctx)} ends on ${formatMoment(ctx.contract.endsAt!)}, in ${days === 1 ? "less than a day" : `less than ${days} days`}.`,
          link: "/my-clients",
        });
      }
      run.warned.push({ contractId: ctx.contract.id, days });
    }
  });
  if (run.expired.length > 0) await publishChanges(...run.expired.map((id) => ({ kind: "contract" as const, id })));
  return run;
}
