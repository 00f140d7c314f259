import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { verifyCredentials } from "@/lib/domain/users";
import { clearSignInFailures, recordSignInFailure, signInRetryAfter } from "./throttle";

class TooManyAttempts extends CredentialsSignin {
  code = "throttled";
}

function clientAddress(request: Request | undefined): string {
  const forwarded = request?.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || request?.headers.get("x-real-ip") || "unknown";
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: "/login" },
  trustHost: true,
  logger: {
    // A failed sign-in is expected traffic, not a server error: one line, no stack, no email.
    error(error) {
      if (error.name === "CredentialsSignin") console.warn("[auth] failed sign-in");
      else console.error(error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const email = String(credentials?.email ?? "");
        const password = String(credentials?.password ?? "");
        const address = clientAddress(request);
        if (signInRetryAfter(email, address) > 0) throw new TooManyAttempts();
        const user = await verifyCredentials(await getDb(), email, password);
        if (!user) {
          recordSignInFailure(email, address);
          return null;
        }
        clearSignInFailures(email);
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.uid = user.id;
      return token;
    },
    session({ session, token }) {
      if (typeof token.uid === "string") session.user.id = token.uid;
      return session;
    },
  },
});
