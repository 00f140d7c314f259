import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200">
        <p className="mb-6 text-2xl font-semibold tracking-tight text-brand-900">Portico</p>
        {children}
      </div>
    </main>
  );
}
