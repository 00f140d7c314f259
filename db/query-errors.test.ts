import { inspect } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation, type OpenDatabase } from "./client";
import { users } from "./schema";
import { createTestDatabase } from "./test-database";

let open: OpenDatabase;
beforeAll(async () => {
  open = await createTestDatabase();
});
afterAll(async () => {
  await open?.close();
});

const SECRET = "$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LXNhbHQ$not-a-real-hash-but-secret";

/** Every way a log line could show the error. */
function everyRendering(error: unknown): string {
  const e = error as Error;
  return [e.message, e.stack, String(error), inspect(error, { depth: 10 }), JSON.stringify(error), inspect((e as { cause?: unknown }).cause, { depth: 10 })].join("\n");
}

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("The query did not fail");
}

describe("a failed query's error", () => {
  it("keeps the SQL but never the parameters (a NUL byte the database refuses)", async () => {
    const error = await failureOf(() => open.db.insert(users).values({ email: "nul\u0000@example.test", name: "Nul", passwordHash: SECRET }));
    const text = everyRendering(error);
    expect(text).toContain('insert into "users"');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("nul\u0000@example.test");
  });

  it("still tells a unique violation apart, with its constraint, and without the row's values", async () => {
    await open.db.insert(users).values({ email: "taken@example.test", name: "First", passwordHash: "first-hash" });
    const error = await failureOf(() => open.db.insert(users).values({ email: "taken@example.test", name: "Second", passwordHash: SECRET }));
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, "users_email_unique")).toBe(true);
    const text = everyRendering(error);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("taken@example.test");
  });

  it("is redacted inside a transaction too", async () => {
    const error = await failureOf(() =>
      open.db.transaction(async (tx) => {
        await tx.select().from(users).where(eq(users.passwordHash, SECRET));
        await tx.update(users).set({ name: "x\u0000" }).where(eq(users.passwordHash, SECRET));
      }),
    );
    expect(everyRendering(error)).not.toContain(SECRET);
    expect((error as Error).message).toContain('update "users"');
  });
});
