"use server";

import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { createClientVersion, retireClientVersion, revealApiKey, rotateApiKey } from "@/lib/domain/clients";
import { breakContract, withdrawContract } from "@/lib/domain/contracts";

const checkbox = z.string().optional().transform((value) => value === "on" || value === "true");

export const retireClientVersionAction = actorAction(z.object({ clientVersionId: z.string() }), async (actor, { clientVersionId }) => {
  await retireClientVersion(await getDb(), actor, clientVersionId);
  refresh();
  return { ok: true, message: "The client version is retired; its API key no longer works." };
});

export const createClientVersionAction = actorAction(
  z.object({
    clientId: z.string(),
    copyFromVersionId: z.string(),
    copyContracts: checkbox,
    version: z.string(),
    orgSlug: z.string(),
    clientSlug: z.string(),
    // Offered to owners only; empty means a generated key.
    apiKey: z.string().optional().transform((value) => (value?.trim() ? value.trim() : undefined)),
  }),
  async (actor, { orgSlug, clientSlug, copyFromVersionId, copyContracts, ...input }) => {
    const version = await createClientVersion(await getDb(), actor, { ...input, copyContractsFromVersionId: copyContracts ? copyFromVersionId : undefined });
    redirect(`/manage/${orgSlug}/clients/${clientSlug}/${encodeURIComponent(version.version)}`);
  },
);

export const revealApiKeyAction = actorAction(z.object({ clientVersionId: z.string() }), async (actor, { clientVersionId }) => {
  const keys = await revealApiKey(await getDb(), actor, clientVersionId);
  return { ok: true, data: { apiKey: keys.apiKey, previousApiKey: keys.previousApiKey } };
});

export const rotateApiKeyAction = actorAction(z.object({ clientVersionId: z.string(), graceSeconds: z.coerce.number() }), async (actor, input) => {
  await rotateApiKey(await getDb(), actor, input);
  refresh();
  return {
    ok: true,
    message: input.graceSeconds > 0 ? "A new API key was issued; the old one keeps working for the grace period." : "A new API key was issued; the old one no longer works.",
  };
});

export const withdrawContractAction = actorAction(z.object({ contractId: z.string() }), async (actor, { contractId }) => {
  await withdrawContract(await getDb(), actor, contractId);
  refresh();
  return { ok: true, message: "The request was withdrawn." };
});

export const breakClientContractAction = actorAction(z.object({ contractId: z.string(), reason: z.string().optional() }), async (actor, input) => {
  await breakContract(await getDb(), actor, { contractId: input.contractId, reason: input.reason?.trim() || undefined });
  refresh();
  return { ok: true, message: "The contract is broken." };
});
