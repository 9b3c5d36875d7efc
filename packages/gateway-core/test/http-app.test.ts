import { describe, expect, it } from "vitest";
import { createGateway } from "../src/gateway.js";
import { loadSettings } from "../src/index.js";

const gateway = createGateway({ settings: loadSettings({ LOG_LEVEL: "silent" }) });

describe("gateway HTTP app", () => {
  it("answers /health without authentication", async () => {
    const response = await gateway.app.request("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "healthy" });
  });

  it("reports the package version and runtime on /version", async () => {
    const response = await gateway.app.request("/version");
    const body = (await response.json()) as {
      app: { name: string; version: string };
      runtime: { node: string };
    };
    expect(body.app).toEqual({ name: "ContextForge", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(body.runtime.node).toBe(process.versions.node);
  });

  it("answers unknown paths with a JSON 404", async () => {
    const response = await gateway.app.request("/no/such/path");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Not Found", code: "not_found" });
  });
});

describe("gateway lifecycle", () => {
  it("listens on the configured host and port, then stops and frees it", async () => {
    const live = createGateway({ settings: loadSettings({ PORT: "0", LOG_LEVEL: "silent" }) });
    const { url } = await live.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    await live.stop();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    await live.stop();
  });

  it("rejects start when the port is taken, and stays stoppable", async () => {
    const first = createGateway({ settings: loadSettings({ PORT: "0", LOG_LEVEL: "silent" }) });
    const { url } = await first.start();
    const port = new URL(url).port;
    const second = createGateway({ settings: loadSettings({ PORT: port, LOG_LEVEL: "silent" }) });
    await expect(second.start()).rejects.toMatchObject({ code: "EADDRINUSE" });
    await second.stop();
    await first.stop();
  });
});
