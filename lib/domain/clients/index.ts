export * from "./records";
export * from "./commands";
export * from "./queries";
