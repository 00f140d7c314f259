"use client";

import Script from "next/script";
import { useState } from "react";

/**
 * The OpenAPI document rendered by Scalar's browser build (served by /docs/api/reference.js).
 * Scalar's telemetry, hosted fonts and request proxy are off: the reference talks to this origin only.
 */

interface ScalarGlobal {
  createApiReference(element: HTMLElement, configuration: Record<string, unknown>): unknown;
}

export function ApiReference({ documentUrl }: { documentUrl: string }) {
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const [failed, setFailed] = useState(false);

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
