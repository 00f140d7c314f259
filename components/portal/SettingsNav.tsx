import Link from "next/link";

const PAGES = [
  { href: "/settings/password", label: "Password" },
  { href: "/settings/tokens", label: "Access tokens" },
  { href: "/settings/notifications", label: "Notifications" },
] as const;

/** The settings pages, linked to each other. */
export function SettingsNav({ current }: { current: (typeof PAGES)[number]["href"] }) {
  return (
    <nav aria-label="Settings" className="flex gap-4 border-b border-slate-200 text-sm">
      {PAGES.map((page) => (
        <Link
          key={page.href}
          href={page.href}
          aria-current={page.href === current ? "page" : undefined}
          className={`-mb-px border-b-2 px-1 pb-2 ${page.href === current ? "border-brand-600 font-medium text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`}
        >
          {page.label}
        </Link>
      ))}
    </nav>
  );
}
