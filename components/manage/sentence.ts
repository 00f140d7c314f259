/** "policies.0.limit" -> "Policy 1, limit"; "isPublic" -> "Is public". */
function fieldWords(path: string): string {
  const parts = path.split(".");
  const words = parts.map((part, i) => {
    if (/^\d+$/.test(part)) return `${Number(part) + 1},`;
    // A list followed by an index names one item of it: "policies" -> "policy".
    if (/^\d+$/.test(parts[i + 1] ?? "")) return part.replace(/ies$/, "y").replace(/s$/, "");
    return part.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  });
  const text = words.join(" ").replace(/,$/, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * An action's error as a sentence: "policies.0.limit: At least 1" -> "Policy 1, limit: at least 1.";
 * sentences without a field pass through, ending with a full stop.
 */
export function sentence(error: string): string {
  const match = /^([A-Za-z0-9_.]+): (.+)$/.exec(error);
  const text = match ? `${fieldWords(match[1])}: ${match[2].charAt(0).toLowerCase()}${match[2].slice(1)}` : error;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
