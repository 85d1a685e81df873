// The health check as a Vercel Edge Function (GET /api/health, /api/health/state with a rewrite).
// The Edge Runtime may not compile WebAssembly from bytes: Vercel's bundler turns a `.wasm?module`
// import into the compiled module that init() takes. Settings come from process.env
// (TICKTOCK_SERVER or TICKTOCK_STATE_URL, set as the project's environment variables).
//
// In a project that installs ticktock: import core from "ticktock/core.wasm?module".
import core from "../../../../dist/core.wasm?module";
import { healthCheck } from "../../health.js";

export const config = { runtime: "edge" };

const check = healthCheck({ core });

/** The path below /api/health is the check's own: "" is /, "/state" is /state. */
export default function handler(request: Request): Promise<Response> {
  const url = new URL(request.url);
  url.pathname = url.pathname.replace(/^\/api\/health/, "") || "/";
  return check.fetch(new Request(url, request));
}
