"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createClient, createClientVersion, deleteClient, retireClientVersion, revealApiKey, rotateApiKey } from "@/lib/domain/clients";
import { breakContract, cancelPlanChange, getContractDetail, requestPlanChange, withdrawContract } from "@/lib/domain/contracts";

/** Every portal page may show what changed (My Clients, an API page's form, the unread count). */
function refreshPortal() {
  revalidatePath("/", "layout");
}

const optional = z.string().optional().transform((v) => v || undefined);
/** A ticked checkbox; unticked boxes send nothing, which the domain reads as "not accepted". */
const checkbox = z.string().optional().transform((v) => (v ? true : undefined));

export const createClientAction = actorAction(
  z.object({
    orgId: z.string().min(1, "Choose an organization"),
    name: z.string(),
    version: z.string().default("1.0"),
    description: z.string().default(""),
  }),
  async (actor, input) => {
    const { client, version } = await createClient(await getDb(), actor, input);
    refreshPortal();
    return { ok: true, message: `Client ${client.name} ${version.version} created.`, data: { clientId: client.id, clientVersionId: version.id, name: client.name, version: version.version } };
  },
);

export const createClientVersionAction = actorAction(
  z.object({ clientId: z.string(), version: z.string(), copyContractsFromVersionId: optional, apiKey: optional }),
  async (actor, input) => {
    const version = await createClientVersion(await getDb(), actor, input);
    refreshPortal();
    const key = input.apiKey ? "with your own API key" : "with a new API key";
    return { ok: true, message: `Version ${version.version} created ${key}.`, data: { version: version.version } };
  },
);

export const retireClientVersionAction = actorAction(z.object({ clientVersionId: z.string() }), async (actor, input) => {
  await retireClientVersion(await getDb(), actor, input.clientVersionId);
  refreshPortal();
  return { ok: true, message: "Version retired: its API key no longer works." };
});

export const deleteClientAction = actorAction(z.object({ clientId: z.string() }), async (actor, input) => {
  await deleteClient(await getDb(), actor, input.clientId);
  refreshPortal();
  // The client's own page is gone: back to the list.
  redirect("/my-clients");
});

/** Grace periods offered when rotating: now, 1 hour, 1 day, 7 days. */
export const rotateApiKeyAction = actorAction(
  z.object({ clientVersionId: z.string(), graceSeconds: z.enum(["0", "3600", "86400", "604800"], { message: "Choose how long the old key keeps working" }) }),
  async (actor, input) => {
    await rotateApiKey(await getDb(), actor, { clientVersionId: input.clientVersionId, graceSeconds: Number(input.graceSeconds) });
    refreshPortal();
    return { ok: true, message: input.graceSeconds === "0" ? "New API key issued; the old one stopped working." : "New API key issued; the old one keeps working for the grace period." };
  },
);

export const revealApiKeyAction = actorAction(z.object({ clientVersionId: z.string() }), async (actor, input) => {
  const keys = await revealApiKey(await getDb(), actor, input.clientVersionId);
  return { ok: true, data: { apiKey: keys.apiKey, previousApiKey: keys.previousApiKey } };
});

export const breakContractAction = actorAction(z.object({ contractId: z.string() }), async (actor, input) => {
  await breakContract(await getDb(), actor, { contractId: input.contractId, side: "client" });
  refreshPortal();
  return { ok: true, message: "Contract deleted: the API key no longer reaches that API." };
});

export const withdrawContractAction = actorAction(z.object({ contractId: z.string() }), async (actor, input) => {
  await withdrawContract(await getDb(), actor, input.contractId);
  refreshPortal();
  return { ok: true, message: "Request withdrawn." };
});

/** "Now on Gold." or "Plan change to Gold is awaiting approval.": the consumer's plan change and what became of it. */
export const changePlanAction = actorAction(
  z.object({ contractId: z.string(), planVersionId: z.string().min(1, "Choose a plan"), acceptTerms: checkbox }),
  async (actor, input) => {
    const db = await getDb();
    const { outcome } = await requestPlanChange(db, actor, input);
    refreshPortal();
    const { contract } = await getContractDetail(db, actor, input.contractId);
    const message = outcome === "changed" ? `Now on ${contract.planName}.` : `Plan change to ${contract.pendingPlanChange?.planName ?? "the new plan"} is awaiting approval.`;
    return { ok: true, message, data: { outcome } };
  },
);

export const cancelPlanChangeAction = actorAction(z.object({ contractId: z.string() }), async (actor, input) => {
  await cancelPlanChange(await getDb(), actor, input.contractId);
  refreshPortal();
  return { ok: true, message: "Plan change cancelled: the contract stays on its plan." };
});
