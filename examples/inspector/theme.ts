// The light and the dark theme: the CSS picks the colours (prefers-color-scheme); the canvases
// read them from the CSS variables, cached until the scheme changes, when every drawing that
// used them is redone.

const cache = new Map<string, [number, number, number]>();
const listeners = new Set<() => void>();
const scheme = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : undefined;
scheme?.addEventListener("change", () => {
  cache.clear();
  for (const fn of listeners) fn();
});

/** A CSS colour variable (#rrggbb) of the current theme as [r, g, b]. */
export function themeColour(varName: string): [number, number, number] {
  let c = cache.get(varName);
  if (!c) {
    const hex = getComputedStyle(document.documentElement).getPropertyValue(varName).trim().replace("#", "");
    c = [parseInt(hex.slice(0, 2), 16) || 0, parseInt(hex.slice(2, 4), 16) || 0, parseInt(hex.slice(4, 6), 16) || 0];
    cache.set(varName, c);
  }
  return c;
}

export const css = (varName: string): string => `rgb(${themeColour(varName).join(" ")})`;

/** Call fn when the theme changes (to redraw canvases). */
export function onThemeChange(fn: () => void): void {
  listeners.add(fn);
}
