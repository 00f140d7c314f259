/**
 * The query that opens the Create contract form as the page loads: a visitor who chose Create
 * contract signs in or up and comes back to `?dialog=create-contract`, the form open.
 */
export const OPEN_CREATE_CONTRACT = { name: "dialog", value: "create-contract" } as const;

/** `href` with the query that opens the Create contract form. */
export function withCreateContractOpen(href: string): string {
  return `${href}${href.includes("?") ? "&" : "?"}${OPEN_CREATE_CONTRACT.name}=${OPEN_CREATE_CONTRACT.value}`;
}
