"use client";

import { TextField } from "./ActionForm";

/**
 * An API key brought from another gateway, so its callers keep working: offered to owners of the
 * organization only (the domain refuses anyone else). Empty: Portico generates the key.
 */
export function ImportedKeyField({ min, max }: { min: number; max: number }) {
  return (
    <TextField
      label="Imported API key (optional)"
      name="apiKey"
      autoComplete="off"
      spellCheck={false}
      maxLength={max}
      hint={`To keep a key from another gateway: ${min}–${max} letters, digits or . _ ~ -. Empty: a new key is generated.`}
    />
  );
}
