import { html, raw } from "hono/html";

/** What every admin page is rendered from. */
export interface PageOptions {
  /** The page title (escaped). */
  readonly title: string;
  /** The page body, already rendered (an `html` template result, or escaped text). */
  readonly body: string | Promise<string>;
  /** The per-response CSP nonce for inline scripts; omitted means no inline script. */
  readonly nonce?: string;
  /** Base path the UI is mounted at, e.g. `/admin`. */
  readonly basePath?: string;
}

/** The strict Content-Security-Policy the admin pages are served with. */
export function contentSecurityPolicy(nonce?: string): string {
  const script = nonce === undefined ? "'self'" : `'self' 'nonce-${nonce}'`;
  return [
    "default-src 'self'",
    `script-src ${script}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

/**
 * The admin UI's page layout: a full HTML document with the title escaped and the body
 * inserted as given. Text values are escaped by hono's `html` template, never concatenated.
 */
export async function renderPage({ title, body, nonce, basePath = "/admin" }: PageOptions): Promise<string> {
  const base = basePath.endsWith("/") ? basePath : `${basePath}/`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ContextForge</title>
<base href="${base}">
</head>
<body${nonce === undefined ? "" : raw(` data-nonce="${nonce.replace(/[^A-Za-z0-9+/=_-]/g, "")}"`)}>
<main>${raw(await body)}</main>
</body>
</html>`;
  return (await page).toString();
}
