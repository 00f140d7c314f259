/**
 * The URL-safe part of a display name: "Weather Forecasts" -> "weather-forecasts"; empty when the
 * name has no letter or digit. Free of dependencies, so the forms can show the same identifier the
 * server will derive.
 */
export function slugFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
}
