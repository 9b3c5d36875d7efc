import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway } from "../src/gateway.js";
import { loadSettings } from "../src/index.js";

const MEMORY = "sqlite:///:memory:";
const SECRET = "http-app-test-secret-of-at-least-32-chars";
const gateway = createGateway({
  settings: loadSettings({ LOG_LEVEL: "silent", DATABASE_URL: MEMORY, JWT_SECRET_KEY: SECRET }),
});
beforeAll(() => gateway.prepare());
afterAll(() => gateway.stop());

describe("gateway HTTP app", () => {
  it("answers /health without authentication", async () => {
    const response = await gateway.app.request("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "healthy" });
  });

  it("reports the package version and runtime on /version", async () => {
    const token = await gateway.mintToken("admin@example.com", 5);
    const response = await gateway.app.request("/version", { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as {
      app: { name: string; version: string };
      runtime: { node: string };
    };
    expect(body.app).toEqual({ name: "ContextForge", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(body.runtime.node).toBe(process.versions.node);
  });

  it("is ready when the database answers, and says why not when it does not", async () => {
    expect(await (await gateway.app.request("/ready")).json()).toEqual({ status: "ready" });
    const broken = createGateway({
      settings: loadSettings({
        LOG_LEVEL: "silent",
        DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
        DB_POOL_TIMEOUT: "1",
      }),
    });
    const response = await broken.app.request("/ready");
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: "not ready",
      error: expect.stringMatching(/ECONNREFUSED|connect/),
    });
    await broken.stop();
  });

  it("answers unknown paths with a JSON 404", async () => {
    const token = await gateway.mintToken("admin@example.com", 5);
    const response = await gateway.app.request("/no/such/path", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Not Found", code: "not_found" });
  });
});

describe("gateway lifecycle", () => {
  it("listens on the configured host and port, then stops and frees it", async () => {
    const live = createGateway({
      settings: loadSettings({ PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: MEMORY }),
    });
    const { url } = await live.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    await live.stop();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    await live.stop();
  });

  it("rejects start when the port is taken, and stays stoppable", async () => {
    const first = createGateway({
      settings: loadSettings({ PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: MEMORY }),
    });
    const { url } = await first.start();
    const port = new URL(url).port;
    const second = createGateway({
      settings: loadSettings({ PORT: port, LOG_LEVEL: "silent", DATABASE_URL: MEMORY }),
    });
    await expect(second.start()).rejects.toMatchObject({ code: "EADDRINUSE" });
    await second.stop();
    await first.stop();
  });
});
