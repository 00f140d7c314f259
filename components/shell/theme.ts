/** Where the chosen theme is remembered; absent means "follow the system". */
export const THEME_STORAGE_KEY = "portico-theme";

export type ThemeChoice = "light" | "dark" | "system";

/**
 * Runs in <head> before the first paint, so a dark page never flashes light: reads the remembered
 * choice (or the system's preference) and sets the `dark` class on <html>; while the choice is
 * System, follows the system's switch on every page (those without the toggle too). Kept tiny and self-contained.
 */
export const THEME_SCRIPT = `(function(){try{var k=${JSON.stringify(THEME_STORAGE_KEY)},q=window.matchMedia("(prefers-color-scheme: dark)"),h=document.documentElement;var a=function(){var t=localStorage.getItem(k);h.classList.toggle("dark",t==="dark"||(t!=="light"&&q.matches))};a();q.addEventListener("change",a)}catch(e){}})()`;

/** Applies a choice to the page now. */
export function applyTheme(choice: ThemeChoice) {
  const dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}
