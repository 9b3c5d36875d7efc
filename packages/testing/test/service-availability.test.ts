import { afterEach, describe, expect, it, vi } from "vitest";
import { getFreePort, type ServiceName, ServiceUnavailableError, serviceAvailability } from "../src/index.js";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const SERVICES: readonly { service: ServiceName; label: string; url: (port: number) => string }[] = [
  {
    service: "postgres",
    label: "PostgreSQL",
    url: (port) => `postgres://postgres@127.0.0.1:${port}/postgres`,
  },
  { service: "mysql", label: "MySQL", url: (port) => `mysql://root@127.0.0.1:${port}/test` },
  { service: "redis", label: "Redis", url: (port) => `redis://127.0.0.1:${port}` },
];

describe.each(SERVICES)("serviceAvailability($service)", ({ service, label, url }) => {
  it("reports the service on this machine as available", async () => {
    vi.stubEnv("CI", "");
    const availability = await serviceAvailability(service);
    expect(availability).toMatchObject({ service, available: true });
  });

  it("returns the reason and warns once when nothing listens and CI is unset", async () => {
    vi.stubEnv("CI", "");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const target = url(await getFreePort());
    const first = await serviceAvailability(service, { url: target, timeoutMs: 1_000 });
    const second = await serviceAvailability(service, { url: target, timeoutMs: 1_000 });
    expect(first).toMatchObject({ service, url: target, available: false });
    expect(first.available === false && first.reason).toMatch(/ECONNREFUSED/);
    expect(second.available).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain(`skipping suites that need ${label}`);
  });

  it("throws an error naming the service and URL when nothing listens and CI is set", async () => {
    vi.stubEnv("CI", "true");
    const target = url(await getFreePort());
    const probe = serviceAvailability(service, { url: target, timeoutMs: 1_000 });
    await expect(probe).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(probe).rejects.toThrow(`${label} at ${target} is not reachable: `);
    await expect(probe).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("serviceAvailability", () => {
  it("treats CI=false like an unset CI", async () => {
    vi.stubEnv("CI", "false");
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const target = `redis://127.0.0.1:${await getFreePort()}`;
    await expect(serviceAvailability("redis", { url: target, timeoutMs: 1_000 })).resolves.toMatchObject({
      available: false,
    });
  });

  it("redacts a password in the error message", async () => {
    vi.stubEnv("CI", "1");
    const target = `postgres://postgres:hunter2@127.0.0.1:${await getFreePort()}/postgres`;
    const error: unknown = await serviceAvailability("postgres", { url: target, timeoutMs: 1_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).not.toContain("hunter2");
    expect((error as Error).message).toContain("postgres:***@127.0.0.1");
  });
});
