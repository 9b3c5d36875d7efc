import { afterEach, describe, expect, it, vi } from "vitest";
import { redactUrl, serviceUrl } from "./service-url.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("serviceUrl", () => {
  it("uses the local instance when the variable is unset or empty", () => {
    vi.stubEnv("TEST_POSTGRES_URL", "");
    vi.stubEnv("TEST_MYSQL_URL", undefined);
    expect(serviceUrl("postgres")).toBe("postgres://postgres@127.0.0.1:5432/postgres");
    expect(serviceUrl("mysql")).toBe("mysql://root@127.0.0.1:3306/test");
  });

  it("prefers the TEST_*_URL variable", () => {
    vi.stubEnv("TEST_REDIS_URL", "redis://cache.internal:6380/2");
    expect(serviceUrl("redis")).toBe("redis://cache.internal:6380/2");
  });
});

describe("redactUrl", () => {
  it("hides a password and leaves a URL without one alone", () => {
    expect(redactUrl("postgres://app:s3cret@db:5432/app")).toBe("postgres://app:***@db:5432/app");
    expect(redactUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });
});
