import { describe, expect, it } from "vitest";
import { backoffDelay, resolveBackoff } from "./backoff.js";

describe("backoff", () => {
  it("doubles from 250 ms up to 30 s by default", () => {
    const backoff = resolveBackoff();
    expect([0, 1, 2, 3, 8, 20].map((failures) => backoffDelay(backoff, failures))).toEqual([
      0, 250, 500, 1_000, 30_000, 30_000,
    ]);
  });

  it("rejects a configuration that cannot back off", () => {
    expect(() => resolveBackoff({ initialMs: 500, maxMs: 100 })).toThrow(RangeError);
    expect(() => resolveBackoff({ factor: 0.5 })).toThrow(RangeError);
    expect(() => resolveBackoff({ initialMs: Number.NaN })).toThrow(RangeError);
  });
});
