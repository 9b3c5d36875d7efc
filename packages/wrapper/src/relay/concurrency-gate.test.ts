import { describe, expect, it } from "vitest";
import { ConcurrencyGate } from "./concurrency-gate.js";

describe("ConcurrencyGate", () => {
  it("runs up to the limit at once and hands slots over in arrival order", async () => {
    const gate = new ConcurrencyGate(2);
    const signal = new AbortController().signal;
    const first = await gate.acquire(signal);
    await gate.acquire(signal);
    const order: string[] = [];
    const third = gate.acquire(signal).then((release) => {
      order.push("third");
      return release;
    });
    const fourth = gate.acquire(signal).then(() => order.push("fourth"));
    expect(gate.waiting).toBe(2);
    first();
    first(); // a second call frees nothing more
    (await third)();
    await fourth;
    expect(order).toEqual(["third", "fourth"]);
    expect(gate.active).toBe(2);
  });

  it("drops a waiter whose signal aborts, so it never runs", async () => {
    const gate = new ConcurrencyGate(1);
    const release = await gate.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = gate.acquire(controller.signal);
    controller.abort(new Error("timed out"));
    await expect(waiting).rejects.toThrow("timed out");
    expect(gate.waiting).toBe(0);
    release();
    expect(gate.active).toBe(0);
  });

  it("refuses a limit below one at construction", () => {
    expect(() => new ConcurrencyGate(0)).toThrow(RangeError);
  });
});
