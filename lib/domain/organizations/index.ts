export * from "./commands";
export * from "./access";
export * from "./queries";
