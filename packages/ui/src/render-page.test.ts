import { html } from "hono/html";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, renderPage } from "./render-page.js";

describe("renderPage", () => {
  it("escapes the title and keeps an html body as markup", async () => {
    const page = await renderPage({
      title: "<script>alert(1)</script>",
      body: (await html`<h1>${"Tools & <Servers>"}</h1>`).toString(),
    });
    expect(page).toContain("<title>&lt;script&gt;alert(1)&lt;/script&gt; · ContextForge</title>");
    expect(page).toContain("<h1>Tools &amp; &lt;Servers&gt;</h1>");
    expect(page).toContain('<base href="/admin/">');
    expect(page.startsWith("<!doctype html>")).toBe(true);
  });

  it("sanitises the nonce attribute", async () => {
    const page = await renderPage({ title: "t", body: "", nonce: 'abc"><x' });
    expect(page).toContain('<body data-nonce="abcx">');
  });
});

describe("contentSecurityPolicy", () => {
  it("allows inline scripts only with the response's nonce", () => {
    expect(contentSecurityPolicy("n0nce")).toContain("script-src 'self' 'nonce-n0nce'");
    expect(contentSecurityPolicy()).toContain("script-src 'self';");
    expect(contentSecurityPolicy()).toContain("frame-ancestors 'none'");
  });
});
