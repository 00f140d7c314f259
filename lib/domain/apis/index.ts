export * from "./records";
export * from "./readiness";
export * from "./commands";
export * from "./queries";
