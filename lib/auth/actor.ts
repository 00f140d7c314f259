import { cache } from "react";
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { type Actor, hasManagementAccess, loadActor } from "@/lib/domain/permissions";
import { auth } from "./config";

/**
 * The signed-in user as an actor, re-read from the database on every request so that a
 * disabled account or a changed profile takes effect at once. Null when signed out: `auth()`
 * yields a session only while its server-side row lives (the jwt callback in ./config.ts checks
 * it), so a cookie kept after sign-out, a password change or disabling reads nothing.
 */
export const getActor = cache(async (): Promise<Actor | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  return loadActor(await getDb(), userId);
});

export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  return actor;
}

/** Whether signed-out visitors may browse the catalog: on unless PORTICO_PUBLIC_CATALOG=false (proxy.ts reads the same). */
export function isCatalogPublic(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PORTICO_PUBLIC_CATALOG?.trim().toLowerCase() !== "false";
}

/** Catalog pages: the signed-in actor, or null for a signed-out visitor while the catalog is public. */
export async function requireCatalogReader(): Promise<Actor | null> {
  const actor = await getActor();
  if (!actor && !isCatalogPublic()) redirect("/login");
  return actor;
}

/** API Management pages: manager and admin profiles only; everyone else gets the 404 page. */
export async function requireManager(): Promise<Actor> {
  const actor = await requireActor();
  if (!hasManagementAccess(actor)) notFound();
  return actor;
}
