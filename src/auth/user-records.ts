// Where upstream keeps its auth data and what a user record holds. The internal tree's `auth`
// node holds {current: METHOD} (absent or unset: auth is off); below it, METHOD user NAME holds
// one user: for `password`, {password: sha256 digest}; for `root`, {} under the name "*".
//
//   (None, "auth")                          {current: "password"}
//   (None, "auth", "password", "user", "joe")   {password: <32 bytes>, role: "read"}
//
// `role` is ticktock's own field, which upstream's server ignores: "read" may only look,
// "maintainer" (or no role, as every user upstream makes) may do everything.

import { Path } from "../wire/path.js";

export const AUTH_ROOT = Path.of(null, "auth");
/** The auth methods ticktock serves and speaks, as upstream names them. */
export const AUTH_METHODS = ["password", "root"] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
export type Role = "read" | "maintainer";
export const ROLES: readonly Role[] = ["read", "maintainer"];
/** Upstream's rule for a password user's name (its client checks it; ticktock's server too). */
export const USER_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;

export function isAuthMethod(m: unknown): m is AuthMethod {
  return typeof m === "string" && (AUTH_METHODS as readonly string[]).includes(m);
}

/** The store path of a user record: (None, "auth", METHOD, KIND, NAME). */
export function userPath(method: string, name: string, kind = "user"): Path {
  return Path.of(null, "auth", method, kind, name);
}

/** A record's role: none (upstream's users) is a maintainer; anything but the two names may only look. */
export function roleOf(record: unknown): Role {
  if (record === null || typeof record !== "object" || !("role" in record)) return "maintainer";
  return (record as { role: unknown }).role === "maintainer" ? "maintainer" : "read";
}
