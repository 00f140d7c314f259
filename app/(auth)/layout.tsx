import Link from "next/link";
import type { ReactNode } from "react";
import { PorticoMark } from "@/components/shell/PorticoMark";
import { SkipLink } from "@/components/shell/SkipLink";
import { ThemeToggle } from "@/components/shell/ThemeToggle";

/** Sign in, sign up and the password pages: the portal's bar with its theme switch, and a card. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SkipLink />
      <header className="bg-bar text-bar-text [&_:focus-visible]:outline-bar-text">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-2">
          {/* Not prefetched: the catalog is a page of its own weight, and these pages lead to each other. */}
          <Link href="/apis" prefetch={false} className="inline-flex items-center gap-2 py-1 text-lg font-semibold tracking-tight text-bar-text">
            <PorticoMark />
            Portico
          </Link>
          <div>
            <ThemeToggle />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="flex justify-center px-4 py-10 focus:outline-none sm:py-16">
        <div className="w-full max-w-sm rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8">{children}</div>
      </main>
    </>
  );
}
