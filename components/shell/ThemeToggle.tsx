"use client";

import { useEffect, useSyncExternalStore } from "react";
import { applyTheme, THEME_STORAGE_KEY, type ThemeChoice } from "./theme";

const CHOICES: { value: ThemeChoice; label: string }[] = [
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
  { value: "system", label: "System" },
];

const CHANGED = "portico-theme-change";

function readChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(THEME_STORAGE_KEY);
    return stored === "light" || stored === "dark" ? stored : "system";
  } catch {
    return "system";
  }
}

function subscribe(onChange: () => void) {
  window.addEventListener(CHANGED, onChange);
  window.addEventListener("storage", onChange);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener("storage", onChange);
  };
}

function choose(choice: ThemeChoice) {
  try {
    if (choice === "system") localStorage.removeItem(THEME_STORAGE_KEY);
    else localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Storage may be off (private mode): the choice then lasts for this page only.
  }
  applyTheme(choice);
  window.dispatchEvent(new Event(CHANGED));
}

/** Light / Dark / System, in the top bar; remembered in localStorage. */
export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribe, readChoice, () => "system" as const);

  // Follows another tab's choice, and the system's own switch while "System" is chosen. Nothing is
  // applied on mount: the head script did that before paint, and the first render here is the server's guess.
  useEffect(() => {
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const follow = () => applyTheme(readChoice());
    query.addEventListener("change", follow);
    window.addEventListener("storage", follow);
    return () => {
      query.removeEventListener("change", follow);
      window.removeEventListener("storage", follow);
    };
  }, []);

  return (
    <div role="group" aria-label="Theme" className="inline-flex self-start rounded-md p-0.5 ring-1 ring-bar-muted/60 md:self-auto">
      {CHOICES.map(({ value, label }) => (
        <button
          key={value}
          type="button"
          aria-pressed={choice === value}
          onClick={() => choose(value)}
          className={`rounded px-2 py-1 text-xs font-medium ${choice === value ? "bg-bar-text text-bar" : "text-bar-muted hover:bg-bar-hover hover:text-bar-text"}`}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
