import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getActor } from "@/lib/auth/actor";
import { SignUpForm } from "./SignUpForm";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage() {
  if (await getActor()) redirect("/apis");
  return (
    <>
      <h1 className="mb-4 text-lg font-semibold">Create your account</h1>
      <SignUpForm />
    </>
  );
}
