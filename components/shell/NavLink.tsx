"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ComponentProps } from "react";

/** Whether `pathname` lies in `section` (the path itself or below it). */
function inSection(pathname: string, section: string): boolean {
  return pathname === section || pathname.startsWith(`${section}/`);
}

/**
 * A link of the main navigation, marked `aria-current="page"` while the page shown belongs to its
 * section (`section`, the href by default), unless it belongs to a narrower one listed in `except`.
 */
export function NavLink({ section, except = [], href, ...props }: ComponentProps<typeof Link> & { href: string; section?: string; except?: string[] }) {
  const pathname = usePathname();
  const current = inSection(pathname, section ?? href) && !except.some((narrower) => inSection(pathname, narrower));
  return <Link href={href} aria-current={current ? "page" : undefined} {...props} />;
}

/** "Sign in", bringing the visitor back to the page they were reading. */
export function SignInLink(props: Omit<ComponentProps<typeof Link>, "href">) {
  const pathname = usePathname();
  const href = pathname && pathname !== "/" && pathname !== "/login" ? `/login?next=${encodeURIComponent(pathname)}` : "/login";
  return <Link href={href} {...props} />;
}
