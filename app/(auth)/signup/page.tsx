import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Alert } from "@/components/ui/Alert";
import { getActor } from "@/lib/auth/actor";
import { signInMethods } from "@/lib/auth/config";
import { safeNext, withNext } from "@/lib/auth/next-path";
import { SignUpForm } from "./SignUpForm";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next: nextParam } = await searchParams;
  const next = typeof nextParam === "string" ? nextParam : undefined;
  if (await getActor()) redirect(safeNext(next));
  const methods = signInMethods();
  return (
    <>
      <h1 className="mb-4 text-lg font-semibold">Create your account</h1>
      {methods.password ? (
        <SignUpForm next={next} />
      ) : (
        <Alert kind="info">
          Accounts are not made here: {methods.sso ? `sign in with ${methods.sso.name} and yours is created at once.` : "ask an administrator."}{" "}
          <Link href={withNext("/login", next)} className="font-medium text-brand-600 hover:underline">
            Sign in
          </Link>
        </Alert>
      )}
    </>
  );
}
