import { describe, expect, it } from "vitest";
import { createHostApp } from "./index.js";

describe("embedded gateway example", () => {
  it("serves the host app and the gateway's routes under /gateway", async () => {
    const { app } = createHostApp();
    expect(await (await app.request("/")).text()).toBe("my application");
    const health = await app.request("/gateway/health");
    expect(await health.json()).toEqual({ status: "healthy" });
  });
});
