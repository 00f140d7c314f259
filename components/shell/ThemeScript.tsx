import { THEME_SCRIPT } from "./theme";

/** The theme, applied before paint; goes in the root layout's <head>. */
export function ThemeScript() {
  return <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />;
}
