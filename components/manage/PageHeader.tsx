import Link from "next/link";
import type { ReactNode } from "react";
import { statusLabel } from "@/components/StatusBadge";

export interface Crumb {
  label: string;
  href?: string;
}

/** The trail back up to API Management, then the page's heading and its actions. */
export function PageHeader({ crumbs, title, status, actions, children }: { crumbs: Crumb[]; title: string; status?: ReactNode; actions?: ReactNode; children?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-col gap-2">
      {crumbs.length > 0 && (
        <nav aria-label="Breadcrumb">
          <ol className="flex flex-wrap items-center gap-1 text-sm text-slate-500">
            {crumbs.map((crumb, index) => (
              <li key={`${crumb.label}-${index}`} className="flex items-center gap-1">
                {index > 0 && <span aria-hidden="true">/</span>}
                {crumb.href ? (
                  <Link href={crumb.href} className="hover:text-slate-900 hover:underline">
                    {crumb.label}
                  </Link>
                ) : (
                  <span aria-current="page">{crumb.label}</span>
                )}
              </li>
            ))}
          </ol>
        </nav>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{title}</h1>
        {status}
        {actions && <div className="ml-auto flex flex-wrap items-center gap-2">{actions}</div>}
      </div>
      {children}
    </div>
  );
}

export function Section({ title, description, actions, children, id }: { title: string; description?: ReactNode; actions?: ReactNode; children: ReactNode; id?: string }) {
  const headingId = id ? `${id}-heading` : undefined;
  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-3 rounded-lg bg-white p-5 ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={headingId} className="text-lg font-semibold">
          {title}
        </h2>
        {actions && <div className="ml-auto flex flex-wrap items-center gap-2">{actions}</div>}
      </div>
      {description && <p className="text-sm text-slate-600">{description}</p>}
      {children}
    </section>
  );
}

/** Label/value pairs. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
      {items.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd className="text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Links to the other versions of an API, plan or client, under its page header; none when there is only one. */
export function VersionLinks({ currentId, versions, baseHref }: { currentId: string; versions: { id: string; version: string; status: string }[]; baseHref: string }) {
  if (versions.length <= 1) return null;
  return (
    <nav aria-label="Versions" className="flex flex-wrap items-center gap-2 text-sm">
      <span className="text-slate-600">Versions:</span>
      {versions.map((v) =>
        v.id === currentId ? (
          <span key={v.id} aria-current="page" className="rounded-md bg-brand-50 px-2 py-0.5 font-medium text-brand-700">
            {v.version}
          </span>
        ) : (
          <Link key={v.id} href={`${baseHref}/${encodeURIComponent(v.version)}`} className="rounded-md px-2 py-0.5 text-brand-700 ring-1 ring-slate-200 hover:bg-slate-50">
            {v.version} <span className="text-xs text-slate-500">({statusLabel(v.status)})</span>
          </Link>
        ),
      )}
    </nav>
  );
}
