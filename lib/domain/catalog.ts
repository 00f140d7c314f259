import { readConfig } from "@/lib/config";

/** The managed endpoint of an API version at the gateway: `{gateway}/{org}/{api}/{version}/`. */
export function managedEndpoint(orgSlug: string, apiSlug: string, version: string, gatewayUrl = readConfig().gatewayUrl): string {
  return `${gatewayUrl}/${encodeURIComponent(orgSlug)}/${encodeURIComponent(apiSlug)}/${encodeURIComponent(version)}/`;
}
