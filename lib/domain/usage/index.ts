// Usage analytics: what the gateway counted per contract and API version, read back by range, quota and CSV.
export * from "./settings";
export * from "./histogram";
export * from "./ranges";
export * from "./queries";
export * from "./quota";
export * from "./retention";
export * from "./csv";
