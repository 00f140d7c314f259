import { describe, expect, it } from "vitest";
import { readAuthSettings } from "./settings";

const env = (values: Record<string, string>) => values as NodeJS.ProcessEnv;
const OIDC = { AUTH_OIDC_ISSUER: "https://id.example.test", AUTH_OIDC_CLIENT_ID: "portico", AUTH_OIDC_CLIENT_SECRET: "s3cret" };

describe("sign-in settings", () => {
  it("have password sign-in on and no single sign-on by default", () => {
    expect(readAuthSettings(env({}))).toEqual({ passwordSignIn: true, oidc: null });
  });

  it("turn password sign-in off only with false, and refuse anything else", () => {
    expect(readAuthSettings(env({ AUTH_PASSWORD_SIGNIN: "FALSE" })).passwordSignIn).toBe(false);
    expect(readAuthSettings(env({ AUTH_PASSWORD_SIGNIN: "true" })).passwordSignIn).toBe(true);
    expect(() => readAuthSettings(env({ AUTH_PASSWORD_SIGNIN: "no" }))).toThrow(/AUTH_PASSWORD_SIGNIN must be true or false/);
  });

  it("read the provider with its defaults: button name and groups claim", () => {
    expect(readAuthSettings(env(OIDC)).oidc).toEqual({
      issuer: "https://id.example.test",
      clientId: "portico",
      clientSecret: "s3cret",
      name: "single sign-on",
      adminGroup: undefined,
      managerGroup: undefined,
      groupsClaim: "groups",
    });
    const named = readAuthSettings(env({ ...OIDC, AUTH_OIDC_NAME: "Acme ID", AUTH_OIDC_ADMIN_GROUP: "admins", AUTH_OIDC_MANAGER_GROUP: "managers", AUTH_OIDC_GROUPS_CLAIM: "roles" }));
    expect(named.oidc).toMatchObject({ name: "Acme ID", adminGroup: "admins", managerGroup: "managers", groupsClaim: "roles" });
  });

  it("refuse a half-made provider setting, naming what is missing but never the secret", () => {
    expect(() => readAuthSettings(env({ AUTH_OIDC_ISSUER: "https://id.example.test" }))).toThrow(/AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET/);
    expect(() => readAuthSettings(env({ ...OIDC, AUTH_OIDC_ISSUER: "id.example.test" }))).toThrow(/issuer URL/);
    expect(() => readAuthSettings(env({ ...OIDC, AUTH_OIDC_ISSUER: "ftp://id.example.test" }))).toThrow(/https/);
    try {
      readAuthSettings(env({ ...OIDC, AUTH_OIDC_ISSUER: "nope" }));
    } catch (error) {
      expect(String(error)).not.toContain("s3cret");
    }
  });
});
