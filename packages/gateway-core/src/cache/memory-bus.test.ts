import { describe, expect, it } from "vitest";
import { createInProcessChannel, createMemoryBus } from "./memory-bus.js";

const silent = { info: () => {}, warn: () => {} };
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createMemoryBus", () => {
  it("delivers to the other buses of its channel, never back to the sender", async () => {
    const channel = createInProcessChannel();
    const a = createMemoryBus({ logger: silent, channel });
    const b = createMemoryBus({ logger: silent, channel });
    await Promise.all([a.start(), b.start()]);
    const heardByA: unknown[] = [];
    const heardByB: unknown[] = [];
    a.subscribe("registry", (payload) => heardByA.push(payload));
    b.subscribe("registry", (payload) => heardByB.push(payload));
    const payload = { gatewayId: "g1" };
    await a.publish("registry", payload);
    payload.gatewayId = "mutated after publishing";
    await tick();
    expect(heardByB).toEqual([{ gatewayId: "g1" }]);
    expect(heardByA).toEqual([]);
    expect(a.problem).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it("is alone on a private channel by default, and delivers nothing after close", async () => {
    const lone = createMemoryBus({ logger: silent });
    await lone.start();
    const heard: unknown[] = [];
    lone.subscribe("auth", (payload) => heard.push(payload));
    await lone.publish("auth", {});
    await tick();
    expect(heard).toEqual([]);
    await lone.close();
    await lone.publish("auth", {});
  });

  it("rejects topic names that would not fit a channel or column", async () => {
    const bus = createMemoryBus({ logger: silent });
    expect(() => bus.subscribe("Registry Changes", () => {})).toThrow(RangeError);
    await expect(bus.publish("x".repeat(65), {})).rejects.toThrow(RangeError);
  });
});
