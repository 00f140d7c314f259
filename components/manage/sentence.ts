/** "policies.0.limit: At least 1" -> "Policy 1, limit: at least 1." */
export function sentence(error: string): string {
  const match = /^([A-Za-z0-9_.]+): (.+)$/.exec(error);
  let text = error;
  if (match) {
    const where = match[1]
      .split(".")
      .map((part, i, parts) => (/^\d+$/.test(part) ? `${Number(part) + 1}` : i === 0 && parts.length > 1 && /^\d+$/.test(parts[1] ?? "") ? part.replace(/ies$/, "y").replace(/s$/, "") : part.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()))
      .join(" ")
      .replace(/ (\d+) /, " $1, ");
    text = `${where.charAt(0).toUpperCase()}${where.slice(1)}: ${match[2].charAt(0).toLowerCase()}${match[2].slice(1)}`;
  }
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
