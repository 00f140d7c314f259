import { describe, expect, it } from "vitest";
import { isDomainError } from "./errors";
import { addressRefusal, endpointRefusal, parseAddress, parseAddressRange, parseUpstreamAllow, requireAllowedEndpoint, upstreamRulesFor } from "./upstream-rules";

const settings = { port: 3000, gatewayPort: 8080, databasePort: 5432, redisPort: 6379, upstreamAllow: [] };
const rules = upstreamRulesFor(settings, ["10.1.2.3", "fe80::1%eth0"]);
const allowing = (text: string) => upstreamRulesFor({ ...settings, upstreamAllow: parseUpstreamAllow(text) }, ["10.1.2.3"]);

describe("endpointRefusal", () => {
  it("accepts ordinary backends, private networks included", () => {
    for (const url of ["https://api.example.com/v1", "http://10.0.0.7:8081/base", "http://127.0.0.1:9/x", "http://localhost:8081", "http://[::1]:9000/", "http://backend.internal:5432", "http://192.168.1.10:6379"]) {
      expect(endpointRefusal(rules, url), url).toBeUndefined();
    }
  });

  it("refuses link-local and cloud metadata addresses, however the address is written", () => {
    const spellings = [
      "http://169.254.169.254/latest/meta-data/",
      "http://169.254.169.254:80",
      "http://2852039166/",
      "http://0xa9fea9fe/",
      "http://0251.0376.0251.0376/",
      "http://169.254.43518/",
      "http://[::ffff:169.254.169.254]/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://[64:ff9b::a9fe:a9fe]/",
      "http://169.254.1.1:8080/",
      "http://[fe80::1]/",
      "http://[fd00:ec2::254]/",
      "http://100.100.100.200/latest/meta-data",
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://METADATA.GOOGLE.INTERNAL./",
      "http://metadata/",
    ];
    for (const url of spellings) expect(endpointRefusal(rules, url), url).toMatch(/metadata|link-local/);
  });

  it("refuses the ports of Portico's own services on this machine, by name, address or interface", () => {
    for (const url of ["http://127.0.0.1:5432", "http://localhost:6379", "http://127.8.9.10:8080/acme", "http://[::1]:5432", "http://0.0.0.0:6379", "http://[::]:8080", "http://10.1.2.3:5432", "http://api.localhost:5432", "http://[::ffff:127.0.0.1]:6379"]) {
      expect(endpointRefusal(rules, url), url).toMatch(/Portico's database|Portico's Redis|the Portico gateway/);
    }
    expect(endpointRefusal(rules, "http://10.9.9.9:5432")).toBeUndefined();
  });

  it("allows the portal's port on this machine only for its demo backend path", () => {
    expect(endpointRefusal(rules, "http://localhost:3000/demo-backend/weather")).toBeUndefined();
    expect(endpointRefusal(rules, "http://localhost:3000/demo-backend")).toBeUndefined();
    for (const url of ["http://localhost:3000", "http://localhost:3000/api/auth", "http://127.0.0.1:3000/demo-backend-x", "http://localhost:3000/demo-backend/../api", "http://localhost:3000/demo-backend%2f..%2fapi", "http://localhost:3000/demo-backend/%2e%2e/api"]) {
      expect(endpointRefusal(rules, url), url).toMatch(/is the portal/);
    }
  });

  it("refuses other schemes, credentials and text that is not a URL", () => {
    expect(endpointRefusal(rules, "ftp://example.com/")).toMatch(/http/);
    expect(endpointRefusal(rules, "file:///etc/passwd")).toMatch(/http/);
    expect(endpointRefusal(rules, "gopher://127.0.0.1:6379/_INFO")).toMatch(/http/);
    expect(endpointRefusal(rules, "http://user:secret@example.com/")).toMatch(/user name or password/);
    expect(endpointRefusal(rules, "http://user@example.com/")).toMatch(/user name or password/);
    expect(endpointRefusal(rules, "not a url")).toMatch(/http/);
  });

  it("takes the ports from the settings", () => {
    const moved = upstreamRulesFor({ port: 4000, gatewayPort: 9090, databasePort: 6543, redisPort: 7000, upstreamAllow: [] }, []);
    expect(endpointRefusal(moved, "http://127.0.0.1:6543")).toMatch(/database/);
    expect(endpointRefusal(moved, "http://127.0.0.1:9090")).toMatch(/gateway/);
    expect(endpointRefusal(moved, "http://127.0.0.1:4000/x")).toMatch(/portal/);
    expect(endpointRefusal(moved, "http://127.0.0.1:5432")).toBeUndefined();
  });
});

describe("PORTICO_UPSTREAM_ALLOW", () => {
  it("allows a host:port or a range that the rules would refuse, and nothing more", () => {
    const allow = allowing(" 127.0.0.1:6379 , metadata.google.internal:80, 169.254.0.0/16, [::1]:5432 ");
    expect(endpointRefusal(allow, "http://127.0.0.1:6379")).toBeUndefined();
    expect(endpointRefusal(allow, "http://127.0.0.1:5432")).toMatch(/database/);
    expect(endpointRefusal(allow, "http://[::1]:5432")).toBeUndefined();
    expect(endpointRefusal(allow, "http://metadata.google.internal/")).toBeUndefined();
    expect(endpointRefusal(allow, "http://metadata.google.internal:8080/")).toMatch(/metadata/);
    expect(endpointRefusal(allow, "http://169.254.169.254:1234/")).toBeUndefined();
    expect(endpointRefusal(allow, "http://user:pw@169.254.169.254/")).toMatch(/password/);
    expect(endpointRefusal(allow, "ftp://169.254.169.254/")).toMatch(/http/);
  });

  it("refuses entries it cannot read, naming them", () => {
    for (const text of ["localhost", "10.0.0.0/33", "host:99999", "host:", "http://x:1", "fe80::/200"]) expect(() => parseUpstreamAllow(text), text).toThrow(/PORTICO_UPSTREAM_ALLOW/);
    expect(parseUpstreamAllow(undefined)).toEqual([]);
    expect(parseUpstreamAllow(" , ")).toEqual([]);
  });
});

describe("addressRefusal, for resolved addresses", () => {
  it("judges the address a host name resolved to", () => {
    expect(addressRefusal(rules, "innocent.example", "169.254.169.254", 80, false)).toMatch(/metadata/);
    expect(addressRefusal(rules, "innocent.example", "fe80::abcd%eth0", 80, false)).toMatch(/link-local/);
    expect(addressRefusal(rules, "innocent.example", "127.0.0.1", 5432, false)).toMatch(/database/);
    expect(addressRefusal(rules, "innocent.example", "127.0.0.1", 3000, false)).toMatch(/portal/);
    expect(addressRefusal(rules, "innocent.example", "127.0.0.1", 3000, true)).toBeUndefined();
    expect(addressRefusal(rules, "innocent.example", "93.184.216.34", 443, false)).toBeUndefined();
    expect(addressRefusal(allowing("innocent.example:5432"), "innocent.example", "127.0.0.1", 5432, false)).toBeUndefined();
  });
});

describe("addresses", () => {
  it("reads IPv4, IPv6 and the IPv6 forms that carry IPv4 as one number", () => {
    expect(parseAddress("169.254.169.254")).toBe(parseAddress("::ffff:169.254.169.254"));
    expect(parseAddress("[::ffff:a9fe:a9fe]")).toBe(parseAddress("169.254.169.254"));
    expect(parseAddress("::1")).toBe(1n);
    expect(parseAddress("1:2:3:4:5:6:7:8")).toBe(0x0001_0002_0003_0004_0005_0006_0007_0008n);
    for (const bad of ["", "1.2.3", "1.2.3.256", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "example.com"]) expect(parseAddress(bad), bad).toBeUndefined();
    expect(parseAddressRange("10.0.0.0/8")).toEqual({ base: parseAddress("10.0.0.0"), bits: 104 });
    expect(parseAddressRange("10.9.9.9/8")).toEqual({ base: parseAddress("10.0.0.0"), bits: 104 });
    expect(parseAddressRange("::/0")).toEqual({ base: 0n, bits: 0 });
  });
});

describe("requireAllowedEndpoint", () => {
  it("throws endpoint_not_allowed with the reason on the endpoint field", () => {
    let error: unknown;
    try {
      requireAllowedEndpoint(rules, "http://169.254.169.254/");
    } catch (e) {
      error = e;
    }
    expect(isDomainError(error, "endpoint_not_allowed")).toBe(true);
    expect((error as { fields: Record<string, string> }).fields.endpoint).toMatch(/metadata/);
    expect(() => requireAllowedEndpoint(rules, null)).not.toThrow();
    expect(() => requireAllowedEndpoint(rules, "https://api.example.com")).not.toThrow();
  });
});
