import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { writePgliteTemplate } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated PGlite data directory that every test file's database starts from. */
    pgliteTemplate: string;
  }
}

/** Migrates one PGlite database for the whole run instead of one per test file. */
export default async function setup(project: TestProject) {
  const file = path.join(os.tmpdir(), `portico-pglite-template-${process.pid}.tar`);
  await writePgliteTemplate(file);
  project.provide("pgliteTemplate", file);
  return () => rm(file, { force: true });
}
