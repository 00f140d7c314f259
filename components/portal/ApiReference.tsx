"use client";

import Script from "next/script";
import { useEffect, useState } from "react";

/**
 * The OpenAPI document rendered by Scalar's browser build (served by /docs/api/reference.js).
 * Scalar's telemetry, hosted fonts and request proxy are off: the reference talks to this origin only.
 */

/**
 * Scalar's muted text and green method labels, darkened (light) or lightened (dark) to a contrast of
 * at least 4.5:1 on its backgrounds.
 */
const READABLE_COLOURS = `
.light-mode { --scalar-color-3: #6b6b6b; --scalar-color-green: #007a4d; }
.dark-mode { --scalar-color-3: #a3a3a3; }
`;

type DarkModeState = "dark" | "light";

/** The portal's theme: the `dark` class on <html>. */
function portalTheme(): DarkModeState {
  return document.documentElement.classList.contains("dark") ? "dark" : "light";
}

interface ScalarGlobal {
  createApiReference(element: HTMLElement, configuration: Record<string, unknown>): unknown;
}

export function ApiReference({ documentUrl }: { documentUrl: string }) {
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const [failed, setFailed] = useState(false);
  // The theme toggle (or the system, on System) changes the class on <html>. Scalar marks the body
  // light-mode or dark-mode, and marks it again with the state it started in whenever the system's
  // preference changes: the body's mark is kept to the portal's theme while this page is shown.
  useEffect(() => {
    const follow = () => {
      const dark = portalTheme() === "dark";
      const body = document.body.classList;
      if (body.contains("dark-mode") !== dark) body.toggle("dark-mode", dark);
      if (body.contains("light-mode") === dark) body.toggle("light-mode", !dark);
    };
    const observer = new MutationObserver(follow);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    observer.observe(document.body, { attributes: true, attributeFilter: ["class"] });
    return () => {
      observer.disconnect();
      document.body.classList.remove("dark-mode", "light-mode");
    };
  }, []);

  function mount() {
    const scalar = (window as unknown as { Scalar?: ScalarGlobal }).Scalar;
    if (!scalar || !element || element.dataset.mounted) return;
    element.dataset.mounted = "true";
    scalar.createApiReference(element, {
      url: documentUrl,
      authentication: { preferredSecurityScheme: "accessToken" },
      telemetry: false,
      withDefaultFonts: false,
      hideDarkModeToggle: true,
      forceDarkModeState: portalTheme(),
      customCss: READABLE_COLOURS,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: "never",
      defaultOpenAllTags: false,
    });
  }

  return (
    <>
      {element && <Script src="/docs/api/reference.js" strategy="afterInteractive" onReady={mount} onError={() => setFailed(true)} />}
      {failed && (
        <p role="alert" className="text-sm text-red-700">
          The reference could not be loaded. The document is at <a href={documentUrl}>{documentUrl}</a>.
        </p>
      )}
      <div ref={setElement} className="min-h-[60vh] overflow-hidden rounded border border-gray-200" />
    </>
  );
}
