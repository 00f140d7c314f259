import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { clients, clientVersions } from "@/db/schema";
import { DomainError } from "../errors";
import { type Actor, hasPermission } from "../permissions";

export type Client = typeof clients.$inferSelect;
export type ClientVersion = typeof clientVersions.$inferSelect;
/** A client version as returned to whoever just issued its key: the key in clear, this once, never stored so. */
export type IssuedClientVersion = ClientVersion & { apiKey: string };

/** A client version with its client; undefined when missing. */
export async function findClientVersion(db: Queryable, clientVersionId: string) {
  const [row] = await db
    .select({ version: clientVersions, client: clients })
    .from(clientVersions)
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .where(eq(clientVersions.id, clientVersionId));
  return row;
}

/** The client version, if the actor may view it; client_not_found otherwise. */
export async function requireClientVersion(db: Queryable, actor: Actor, clientVersionId: string) {
  const row = await findClientVersion(db, clientVersionId);
  if (!row || !hasPermission(actor, row.client.orgId, "clientView")) throw new DomainError("client_not_found");
  return row;
}
