import Link from "next/link";
import type { Actor } from "@/lib/domain/permissions";
import { hasManagementAccess } from "@/lib/domain/permissions";
import { signOutAction } from "@/app/(auth)/actions";

const linkClass = "rounded-md px-3 py-2 text-sm font-medium text-slate-200 hover:bg-brand-700 hover:text-white";

export function TopNav({ actor, unread = 0, approvals = 0 }: { actor: Actor; unread?: number; approvals?: number }) {
  return (
    <header className="bg-brand-900 text-white">
      <nav aria-label="Main" className="mx-auto flex max-w-6xl items-center gap-1 px-4 py-2">
        <Link href="/apis" className="mr-4 text-lg font-semibold tracking-tight text-white">
          Portico
        </Link>
        <Link href="/apis" className={linkClass}>
          APIs
        </Link>
        <Link href="/my-clients" className={linkClass}>
          My Clients
        </Link>
        {hasManagementAccess(actor) && (
          <>
            <Link href="/manage" className={linkClass}>
              API Management
            </Link>
            {/* The count is a description, so the link's name stays "Approvals". */}
            <Link href="/manage/approvals" className={linkClass} aria-label="Approvals" aria-describedby={approvals > 0 ? "nav-approvals-count" : undefined}>
              Approvals
              {approvals > 0 && (
                <span aria-hidden="true" className="ml-1 rounded-full bg-amber-400 px-1.5 text-xs font-bold text-slate-900">
                  {approvals}
                </span>
              )}
            </Link>
            {approvals > 0 && (
              <span id="nav-approvals-count" className="sr-only">
                {approvals} {approvals === 1 ? "request awaits" : "requests await"} your approval
              </span>
            )}
          </>
        )}
        <div className="ml-auto flex items-center gap-3">
          <Link href="/notifications" className={linkClass} aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}>
            Notifications{unread > 0 && <span className="ml-1 rounded-full bg-amber-400 px-1.5 text-xs font-bold text-slate-900">{unread}</span>}
          </Link>
          <span className="text-sm text-slate-300" title={actor.email}>
            {actor.name}
          </span>
          <Link href="/settings/password" className={linkClass}>
            Settings
          </Link>
          <form action={signOutAction}>
            <button type="submit" className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-200 ring-1 ring-slate-400 hover:bg-brand-700">
              Sign out
            </button>
          </form>
        </div>
      </nav>
    </header>
  );
}
