import { networkInterfaces } from "node:os";
import { DomainError } from "./errors";

/**
 * Where an API version's endpoint may point. The gateway forwards anonymous traffic to it, so an
 * endpoint must not turn the gateway into a way into this machine or its cloud: no link-local or
 * cloud-metadata address, no port of Portico's own services on this host, http(s) only, no
 * credentials. The checks are pure; the rules are built once from the settings.
 */
export interface UpstreamRules {
  /** Ports of Portico's own services, refused on this host: port -> what listens there. */
  ownPorts: ReadonlyMap<number, string>;
  /** The portal's port: on this host only its demo backend may be an endpoint. */
  portalPort: number;
  /** This machine's own addresses besides loopback (its network interfaces), as canonical numbers. */
  hostAddresses: ReadonlySet<bigint>;
  /** PORTICO_UPSTREAM_ALLOW: what the operator allows although the rules above refuse it. */
  allow: readonly UpstreamAllowEntry[];
}

/** One PORTICO_UPSTREAM_ALLOW entry: a host name and port, or addresses (a range: every port; an address with a port: that port). */
export type UpstreamAllowEntry = { host: string; port: number } | { range: AddressRange; port?: number };

export interface AddressRange {
  /** The first address, IPv4 as IPv4-mapped IPv6. */
  base: bigint;
  /** Prefix length out of 128. */
  bits: number;
}

/** The path of the portal's embedded demo backend, the one place of the portal an endpoint may name. */
export const DEMO_BACKEND_PATH = "/demo-backend";

const ALLOW_HINT = " An operator can allow it with PORTICO_UPSTREAM_ALLOW.";

const IPV4_MAPPED = 0xffff_0000_0000n;
const NAT64_PREFIX = 0x0064_ff9b_0000_0000_0000_0000_0000_0000n;
const LOW_32 = 0xffff_ffffn;

function range(text: string): AddressRange {
  const parsed = parseAddressRange(text);
  if (!parsed) throw new Error(`Not an address range: ${text}`);
  return parsed;
}

const LINK_LOCAL = [range("169.254.0.0/16"), range("fe80::/10")];
const THIS_HOST = [range("127.0.0.0/8"), range("0.0.0.0/8"), range("::1/128"), range("::/128")];
// AWS, GCP, Azure, OpenStack and Oracle (169.254.169.254), ECS/EKS credentials, AWS IPv6, Alibaba, Oracle Classic, Azure WireServer.
const METADATA_ADDRESSES = new Set(
  ["169.254.169.254", "169.254.170.2", "169.254.170.23", "fd00:ec2::254", "fd00:ec2::23", "100.100.100.200", "192.0.0.192", "168.63.129.16"].map((a) => parseAddress(a)!),
);
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal", "metadata.tencentyun.com"]);
const LOCAL_NAMES = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"]);

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: some resolvers read them as octal.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const zone = text.indexOf("%");
  const address = zone === -1 ? text : text.slice(0, zone);
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) out.push(parseInt(part, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...head, ...Array<number>(missing).fill(0), ...tail]) value = (value << 16n) | BigInt(group);
  return value;
}

/**
 * An IP address as one number, IPv4 as IPv4-mapped IPv6; undefined when the text is not an address.
 * IPv6 forms that carry an IPv4 address (mapped, NAT64, the deprecated compatible form) become that
 * IPv4 address, so that no spelling of 169.254.169.254 escapes the rules.
 */
export function parseAddress(text: string): bigint | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return IPV4_MAPPED | v4;
  const v6 = parseIpv6(bare);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn || v6 >> 32n === NAT64_PREFIX >> 32n) return IPV4_MAPPED | (v6 & LOW_32);
  if (v6 >> 32n === 0n && v6 > 1n) return IPV4_MAPPED | v6;
  return v6;
}

/** "10.0.0.0/8", "fd00::/8", or a single address. */
export function parseAddressRange(text: string): AddressRange | undefined {
  const slash = text.indexOf("/");
  const base = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (base === undefined) return undefined;
  const isV4 = parseIpv4(slash === -1 ? text : text.slice(0, slash)) !== undefined;
  const max = isV4 ? 32 : 128;
  const prefix = slash === -1 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return undefined;
  const bits = Number(prefix) + (isV4 ? 96 : 0);
  return { base: bits === 0 ? 0n : (base >> BigInt(128 - bits)) << BigInt(128 - bits), bits };
}

function inRange(address: bigint, r: AddressRange): boolean {
  const shift = BigInt(128 - r.bits);
  return address >> shift === r.base >> shift;
}

/** Host names compare lower case, without brackets or a trailing dot. */
function canonicalHost(host: string): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.+$/, "");
}

/** Parses PORTICO_UPSTREAM_ALLOW: comma-separated `host:port` or CIDR entries; throws on anything else. */
export function parseUpstreamAllow(text: string | undefined): UpstreamAllowEntry[] {
  const entries: UpstreamAllowEntry[] = [];
  for (const raw of (text ?? "").split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const asRange = parseAddressRange(entry);
    if (asRange) {
      entries.push({ range: asRange });
      continue;
    }
    const hostPort = /^(\[[^\]]+\]|[^:[\]/\s]+):(\d{1,5})$/.exec(entry);
    const port = hostPort ? Number(hostPort[2]) : NaN;
    if (!hostPort || port < 1 || port > 65535) {
      throw new Error(`PORTICO_UPSTREAM_ALLOW: "${entry}" is neither host:port (db.internal:5432, [::1]:6379) nor an address range (10.0.0.0/8)`);
    }
    const address = parseAddress(hostPort[1]);
    entries.push(address === undefined ? { host: canonicalHost(hostPort[1]), port } : { range: { base: address, bits: 128 }, port });
  }
  return entries;
}

/** Ports are compared as numbers, the scheme's default when the URL names none. */
function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

export interface UpstreamRulesSettings {
  port: number;
  gatewayPort: number;
  databasePort: number;
  redisPort: number;
  upstreamAllow: readonly UpstreamAllowEntry[];
}

/** The rules for this machine: its services' ports from the settings, its addresses from its network interfaces. */
export function upstreamRulesFor(settings: UpstreamRulesSettings, hostAddresses: readonly string[] = thisHostAddresses()): UpstreamRules {
  const ownPorts = new Map<number, string>([
    [settings.databasePort, "Portico's database"],
    [settings.redisPort, "Portico's Redis"],
    [settings.gatewayPort, "the Portico gateway"],
  ]);
  const addresses = new Set<bigint>();
  for (const text of hostAddresses) {
    const address = parseAddress(text);
    if (address !== undefined) addresses.add(address);
  }
  return { ownPorts, portalPort: settings.port, hostAddresses: addresses, allow: settings.upstreamAllow };
}

/** The addresses of this machine's network interfaces. */
export function thisHostAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

function allowedByOperator(rules: UpstreamRules, host: string, address: bigint | undefined, port: number): boolean {
  for (const entry of rules.allow) {
    if ("range" in entry) {
      if (address !== undefined && inRange(address, entry.range) && (entry.port === undefined || entry.port === port)) return true;
    } else if (entry.host === host && entry.port === port) return true;
  }
  return false;
}

function isThisHost(rules: UpstreamRules, address: bigint): boolean {
  return rules.hostAddresses.has(address) || THIS_HOST.some((r) => inRange(address, r));
}

function portRefusal(rules: UpstreamRules, where: string, port: number, portalPathAllowed: boolean): string | undefined {
  const service = rules.ownPorts.get(port);
  if (service) return `Port ${port} on this machine (${where}) is ${service}; an endpoint cannot point there.${ALLOW_HINT}`;
  if (port === rules.portalPort && !portalPathAllowed) {
    return `Port ${port} on this machine (${where}) is the portal: only its ${DEMO_BACKEND_PATH} path can be an endpoint.${ALLOW_HINT}`;
  }
  return undefined;
}

/**
 * Why the gateway may not connect to `address` (already resolved from `host`) on `port`, or
 * undefined when it may. `portalPathAllowed`: the request goes to the portal's demo backend path.
 */
export function addressRefusal(rules: UpstreamRules, host: string, address: string, port: number, portalPathAllowed: boolean): string | undefined {
  const name = canonicalHost(host);
  const value = parseAddress(address);
  if (allowedByOperator(rules, name, value, port)) return undefined;
  if (value === undefined) return `${address} is not an IP address.`;
  if (METADATA_ADDRESSES.has(value)) return `${address} is a cloud metadata address, which holds the machine's credentials; the gateway never forwards there.${ALLOW_HINT}`;
  if (LINK_LOCAL.some((r) => inRange(value, r))) return `${address} is a link-local address, where cloud metadata services live; the gateway does not forward there.${ALLOW_HINT}`;
  if (isThisHost(rules, value)) return portRefusal(rules, address, port, portalPathAllowed);
  return undefined;
}

/** True for the portal's demo backend path: plain text, so that no encoding can step out of it. */
export function isDemoBackendPath(path: string): boolean {
  return (path === DEMO_BACKEND_PATH || path.startsWith(`${DEMO_BACKEND_PATH}/`)) && !path.includes("%");
}

/**
 * Why an endpoint URL may not be used, as a sentence, or undefined when it may. Host names are
 * judged by name here; the gateway judges the address they resolve to when it connects.
 */
export function endpointRefusal(rules: UpstreamRules, endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "Enter an http:// or https:// URL.";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "Only http:// and https:// endpoints can be used.";
  if (url.username || url.password) return "An endpoint cannot carry a user name or password: the gateway would hand them to whatever answers there.";
  const host = canonicalHost(url.hostname);
  const port = portOf(url);
  if (parseAddress(host) !== undefined) return addressRefusal(rules, host, host, port, isDemoBackendPath(url.pathname));
  if (allowedByOperator(rules, host, undefined, port)) return undefined;
  if (METADATA_NAMES.has(host)) return `${host} is a cloud metadata service, which holds the machine's credentials; the gateway never forwards there.${ALLOW_HINT}`;
  if (LOCAL_NAMES.has(host) || host.endsWith(".localhost")) return portRefusal(rules, host, port, isDemoBackendPath(url.pathname));
  return undefined;
}

/** Throws endpoint_not_allowed, with the reason on the endpoint field, when the endpoint breaks the rules. */
export function requireAllowedEndpoint(rules: UpstreamRules, endpoint: string | null | undefined): void {
  if (!endpoint) return;
  const refusal = endpointRefusal(rules, endpoint);
  if (refusal) throw new DomainError("endpoint_not_allowed", `Endpoint: ${refusal}`, { endpoint: refusal });
}
