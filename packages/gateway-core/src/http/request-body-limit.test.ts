import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requestBodyLimit } from "./request-body-limit.js";

function app(): Hono {
  const hono = new Hono();
  hono.use(
    "*",
    requestBodyLimit(10, (c) => {
      throw new Error(`too large: ${c.req.method}`);
    }),
  );
  hono.onError((error, c) => c.text(error.message, 413));
  hono.all("/", async (c) => c.text(`read ${(await c.req.text()).length}`));
  return hono;
}

/** A body of `text` sent without a length (chunked). */
const streamed = (text: string): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });

describe("requestBodyLimit", () => {
  it("passes bodies within the limit and refuses longer ones by their Content-Length", async () => {
    const ok = await app().request("/", { method: "POST", body: "0123456789" });
    expect([ok.status, await ok.text()]).toEqual([200, "read 10"]);
    const big = await app().request("/", { method: "POST", body: "0123456789x" });
    expect([big.status, await big.text()]).toEqual([413, "too large: POST"]);
  });

  it("counts a body without a length as it streams", async () => {
    const init = (text: string) => ({ method: "POST", body: streamed(text), duplex: "half" }) as RequestInit;
    const ok = await app().request("/", init("short"));
    expect([ok.status, await ok.text()]).toEqual([200, "read 5"]);
    const big = await app().request("/", init("far too long for the limit"));
    expect(big.status).toBe(413);
  });

  it("lets GET and HEAD through untouched", async () => {
    expect((await app().request("/", { method: "GET" })).status).toBe(200);
    expect((await app().request("/", { method: "HEAD" })).status).toBe(200);
  });
});
