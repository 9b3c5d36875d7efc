import { describe, expect, it } from "vitest";
import { heapTuningFor } from "./heap-tuning.js";

describe("heapTuningFor", () => {
  it("caps the young generation and bounds the old one's growth by default", () => {
    expect(heapTuningFor([])).toEqual({
      capYoungGeneration: true,
      flags: ["--heap-growing-percent=50"],
    });
  });

  it("leaves the young generation alone when the operator sized it", () => {
    expect(heapTuningFor(["--max-semi-space-size=16"]).capYoungGeneration).toBe(false);
    expect(heapTuningFor(["--enable-source-maps", "--min_semi_space_size=4"]).capYoungGeneration).toBe(false);
  });

  it("leaves the old generation's growth alone when the operator chose it", () => {
    expect(heapTuningFor(["--heap-growing-percent=100"])).toEqual({ capYoungGeneration: true, flags: [] });
  });

  it("ignores other options and empty ones", () => {
    expect(heapTuningFor(["", "--max-old-space-size=512", "--import", "x.js"])).toEqual({
      capYoungGeneration: true,
      flags: ["--heap-growing-percent=50"],
    });
  });
});
