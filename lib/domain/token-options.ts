/** The choices an access token offers, plain data the browser's form may import too. */
export const ACCESS_TOKEN_SCOPES = ["read", "write"] as const;
export type AccessTokenScope = (typeof ACCESS_TOKEN_SCOPES)[number];
export const ACCESS_TOKEN_EXPIRY_DAYS = [30, 90, 365] as const;
export const SCOPE_MESSAGE = "Choose read, or read and write";
