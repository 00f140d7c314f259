import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { organizations, users } from "@/db/schema";
import { createApi, offerPlan, publishApiVersion } from "@/lib/domain/apis";
import { createClient } from "@/lib/domain/clients";
import { createContract } from "@/lib/domain/contracts";
import { createOrganization } from "@/lib/domain/organizations";
import { type Actor, loadActor } from "@/lib/domain/permissions";
import { createPlan, lockPlanVersion } from "@/lib/domain/plans";
import { createUser } from "@/lib/domain/users";

export const DEMO_ACCOUNTS = [
  { email: "admin@example.com", password: "portico-admin", name: "Ada Admin", profile: "admin" },
  { email: "provider@example.com", password: "portico-provider", name: "Paula Provider", profile: "manager" },
  { email: "developer@example.com", password: "portico-developer", name: "Dev Developer", profile: "portal" },
] as const;

const WEATHER_DOCS = `# Weather

Forecasts for any city.

## Forecast

\`GET /forecast?city=Oslo\` returns the next three days:

\`\`\`json
{ "city": "Oslo", "days": [{ "date": "2026-12-01", "summary": "Snow", "highC": -1, "lowC": -6 }] }
\`\`\`
`;

async function actorFor(db: Db, email: string, password: string, name: string, profile: "admin" | "manager" | "portal"): Promise<Actor> {
  const user = await createUser(db, { email, password, name }, profile);
  return (await loadActor(db, user.id))!;
}

/** True when the demo organization is already there. */
export async function hasDemoData(db: Db): Promise<boolean> {
  const rows = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "acme"));
  return rows.length > 0;
}

export async function isEmptyDatabase(db: Db): Promise<boolean> {
  const rows = await db.select({ id: users.id }).from(users).limit(1);
  return rows.length === 0;
}

/**
 * The demo data of SPEC §8, written through the domain rules so keys, statuses and audit are real.
 * `backendUrl` is where the demo backend answers (the portal's /demo-backend).
 */
export async function seedDemo(db: Db, backendUrl: string): Promise<{ developerKey: string }> {
  const [admin, providerUser, developer] = await Promise.all(
    DEMO_ACCOUNTS.map((a) => actorFor(db, a.email, a.password, a.name, a.profile)),
  );
  void admin;
  const acme = await createOrganization(db, providerUser, { slug: "acme", name: "Acme", description: "Acme Corporation's public APIs" });
  const provider = (await loadActor(db, providerUser.userId))!;

  const bronze = await createPlan(db, provider, {
    orgId: acme.id,
    slug: "bronze",
    name: "Bronze",
    description: "For trying things out and small apps.",
    policies: [
      { type: "rate-limit", limit: 5, period: "second" },
      { type: "quota", limit: 1000, period: "day" },
    ],
  });
  const gold = await createPlan(db, provider, {
    orgId: acme.id,
    slug: "gold",
    name: "Gold",
    description: "For production traffic.",
    policies: [{ type: "rate-limit", limit: 50, period: "second" }],
  });
  await lockPlanVersion(db, provider, bronze.version.id);
  await lockPlanVersion(db, provider, gold.version.id);

  const weather = await createApi(db, provider, {
    orgId: acme.id,
    slug: "weather",
    name: "Weather",
    description: "Three-day forecasts for cities around the world.",
    tags: ["weather", "forecast"],
    endpoint: `${backendUrl}/weather`,
    docs: WEATHER_DOCS,
  });
  await offerPlan(db, provider, { apiVersionId: weather.version.id, planVersionId: bronze.version.id });
  await offerPlan(db, provider, { apiVersionId: weather.version.id, planVersionId: gold.version.id, requiresApproval: true });
  await publishApiVersion(db, provider, weather.version.id);

  const billing = await createApi(db, provider, {
    orgId: acme.id,
    slug: "billing",
    name: "Billing",
    description: "Invoices and payments for Acme customers.",
    tags: ["billing", "payments"],
    endpoint: `${backendUrl}/billing`,
    docs: "# Billing\n\n`GET /invoices` lists invoices.",
  });
  await offerPlan(db, provider, { apiVersionId: billing.version.id, planVersionId: bronze.version.id });
  await publishApiVersion(db, provider, billing.version.id);

  const echo = await createApi(db, provider, {
    orgId: acme.id,
    slug: "echo",
    name: "Echo",
    description: "Answers with what it received. Public: no key needed.",
    tags: ["tools"],
    endpoint: `${backendUrl}/echo`,
    isPublic: true,
    docs: "# Echo\n\nAny request is answered with its method, path, query and headers.",
  });
  await publishApiVersion(db, provider, echo.version.id);

  const personalOrg = [...developer.roles.keys()][0];
  const dashboard = await createClient(db, developer, {
    orgId: personalOrg,
    slug: "weather-dashboard",
    name: "Weather Dashboard",
    description: "Shows the weather on the office screen.",
    version: "1.0",
  });
  await createContract(db, developer, { clientVersionId: dashboard.version.id, apiVersionId: weather.version.id, planVersionId: bronze.version.id });
  return { developerKey: dashboard.version.apiKey };
}
