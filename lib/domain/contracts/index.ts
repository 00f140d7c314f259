// The contract capability: every rule about contracts is in this folder (SPEC §3 and §4).
export * from "./statuses";
export * from "./visibility";
export * from "./eligibility";
export * from "./commands";
export * from "./queries";
export * from "./approvals";
export * from "./lifecycle";
export * from "./history";
export * from "./expiry";
