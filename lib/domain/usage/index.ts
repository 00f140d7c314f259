// Usage analytics: what the gateway counted per contract, read back by range, quota and CSV.
export * from "./settings";
export * from "./histogram";
export * from "./ranges";
export * from "./queries";
export * from "./quota";
export * from "./rollup";
export * from "./csv";
