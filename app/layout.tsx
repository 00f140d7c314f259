import type { Metadata } from "next";
import type { ReactNode } from "react";
import { ThemeScript } from "@/components/shell/ThemeScript";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Portico", template: "%s · Portico" },
  description: "API developer portal and gateway",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The head script sets the theme's class before paint, so the server's <html> differs from the browser's.
    <html lang="en" suppressHydrationWarning>
      <head>
        <ThemeScript />
      </head>
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
