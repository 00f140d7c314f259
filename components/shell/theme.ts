/** Where the chosen theme is remembered; absent means "follow the system". */
export const THEME_STORAGE_KEY = "portico-theme";

export type ThemeChoice = "light" | "dark" | "system";

/**
 * Runs in <head> before the first paint, so a dark page never flashes light: reads the remembered
 * choice (or the system's preference) and sets the `dark` class on <html>. Kept tiny and self-contained.
 */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});var d=t==="dark"||(t!=="light"&&window.matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.classList.toggle("dark",d)}catch(e){}})()`;

/** Applies a choice to the page now. */
export function applyTheme(choice: ThemeChoice) {
  const dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}
