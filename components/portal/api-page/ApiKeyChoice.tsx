"use client";

import { createContext, type ReactNode, useContext, useMemo, useState } from "react";
import type { TryItKey } from "@/lib/domain/catalog";

interface KeyChoice {
  keys: TryItKey[];
  /** The chosen client version; null when the reader has no key for this version. */
  chosen: TryItKey | null;
  choose: (clientVersionId: string) => void;
}

const KeyChoiceContext = createContext<KeyChoice>({ keys: [], chosen: null, choose: () => undefined });

/** The key the curl example shows and Try it sends: one choice for the whole API page. */
export function ApiKeyChoiceProvider({ keys, children }: { keys: TryItKey[]; children: ReactNode }) {
  const [chosenId, setChosenId] = useState(keys[0]?.clientVersionId ?? null);
  const value = useMemo(() => ({ keys, chosen: keys.find((k) => k.clientVersionId === chosenId) ?? null, choose: setChosenId }), [keys, chosenId]);
  return <KeyChoiceContext.Provider value={value}>{children}</KeyChoiceContext.Provider>;
}

export function useApiKeyChoice(): KeyChoice {
  return useContext(KeyChoiceContext);
}

/** "Weather Dashboard 1.0" */
export function keyLabel(key: TryItKey): string {
  return `${key.clientName} ${key.version}`;
}
