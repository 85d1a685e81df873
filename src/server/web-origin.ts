// Web origins, as browsers send them in a WebSocket's Origin header (see ws-server.ts). Apart from
// the server so that checking an option does not load `ws`.

/** The origin of a URL as a browser sends it (scheme://host[:port], lower case, no default port). */
export function originOf(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`${JSON.stringify(url)} is not a web origin; expected e.g. http://127.0.0.1:8080`);
  }
  if (u.origin === "null") throw new RangeError(`${JSON.stringify(url)} has no web origin; expected http://HOST:PORT or https://HOST:PORT`);
  return u.origin;
}
