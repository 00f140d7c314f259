import Link from "next/link";
import type { Actor } from "@/lib/domain/permissions";
import { hasManagementAccess } from "@/lib/domain/permissions";
import { signOutAction } from "@/app/(auth)/actions";
import { NavLink, SignInLink } from "@/components/shell/NavLink";
import { NavMenu } from "@/components/shell/NavMenu";
import { PorticoMark } from "@/components/shell/PorticoMark";
import { ThemeToggle } from "@/components/shell/ThemeToggle";

const linkClass =
  "rounded-md px-3 py-2 text-sm font-medium text-bar-muted hover:bg-bar-hover hover:text-bar-text aria-[current=page]:bg-bar-hover aria-[current=page]:text-bar-text";
const countClass = "rounded-full bg-amber-400 px-1.5 text-xs font-bold text-black";

/** The top bar: the signed-in user's sections, or for a signed-out visitor (null) the catalog and Sign in / Sign up. */
export function TopNav({ actor, unread = 0, approvals = 0 }: { actor: Actor | null; unread?: number; approvals?: number }) {
  return (
    <header className="bg-bar text-bar-text [&_:focus-visible]:outline-bar-text">
      <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-1 px-4 py-2">
        <Link href="/apis" className="mr-4 inline-flex items-center gap-2 text-lg font-semibold tracking-tight text-bar-text">
          <PorticoMark />
          Portico
        </Link>
        <NavMenu>
          <NavLink href="/apis" className={linkClass}>
            APIs
          </NavLink>
          {actor && (
            <NavLink href="/my-clients" className={linkClass}>
              My Clients
            </NavLink>
          )}
          {actor && hasManagementAccess(actor) && (
            <>
              <NavLink href="/manage" except={["/manage/approvals"]} className={linkClass}>
                API Management
              </NavLink>
              {/* The name holds the visible text ("Approvals 3"), so speech users can say what they see. */}
              <NavLink href="/manage/approvals" className={linkClass} aria-label={approvals > 0 ? `Approvals, ${approvals} waiting` : undefined}>
                Approvals{approvals > 0 && <> <span className={countClass}>{approvals}</span></>}
              </NavLink>
            </>
          )}
          <div className="flex flex-col items-stretch gap-1 border-t border-bar-hover pt-2 md:ml-auto md:flex-row md:flex-wrap md:items-center md:gap-3 md:border-0 md:pt-0">
            {actor ? (
              <>
                {/* The name holds the visible text ("Notifications 2"), so speech users can say what they see. */}
                <NavLink href="/notifications" className={linkClass} aria-label={unread > 0 ? `Notifications, ${unread} unread` : undefined}>
                  Notifications{unread > 0 && <> <span className={countClass}>{unread}</span></>}
                </NavLink>
                <span className="px-3 py-2 text-sm text-bar-muted md:px-0 md:py-0" title={actor.email}>
                  {actor.name}
                </span>
                <NavLink href="/settings/password" section="/settings" className={linkClass}>
                  Settings
                </NavLink>
                <ThemeToggle />
                <form action={signOutAction}>
                  <button type="submit" className="rounded-md px-3 py-1.5 text-sm font-medium text-bar-muted ring-1 ring-bar-muted/60 hover:bg-bar-hover hover:text-bar-text">
                    Sign out
                  </button>
                </form>
              </>
            ) : (
              <>
                <ThemeToggle />
                <SignInLink className={linkClass}>Sign in</SignInLink>
                <Link href="/signup" className="rounded-md bg-bar-text px-3 py-1.5 text-center text-sm font-medium text-bar hover:bg-bar-muted">
                  Sign up
                </Link>
              </>
            )}
          </div>
        </NavMenu>
      </nav>
    </header>
  );
}
