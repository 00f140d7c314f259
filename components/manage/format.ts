const dateTime = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  timeZoneName: "short",
});

/** "29 Nov 2026, 10:33 UTC": the same text on the server and in the browser, so hydration agrees. */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  return dateTime.format(typeof value === "string" ? new Date(value) : value);
}

export const ROLE_LABELS = {
  owner: "Owner",
  "api-developer": "API developer",
  "client-developer": "Client developer",
  viewer: "Viewer",
} as const;
