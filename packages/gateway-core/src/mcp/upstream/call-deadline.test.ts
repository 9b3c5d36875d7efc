import { setTimeout as sleep } from "node:timers/promises";
import { SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { CallDeadline, pausedWhileClientAnswers } from "./call-deadline.js";

const deadlines: CallDeadline[] = [];
function deadline(ms: number): CallDeadline {
  const created = new CallDeadline(ms);
  deadlines.push(created);
  return created;
}

afterEach(() => {
  for (const d of deadlines.splice(0)) d.dispose();
});

describe("CallDeadline", () => {
  it("aborts with the SDK's timeout error once the time is up", async () => {
    const d = deadline(50);
    expect(d.signal.aborted).toBe(false);
    await sleep(120);
    expect(d.signal.reason).toBeInstanceOf(SdkError);
    expect((d.signal.reason as SdkError).code).toBe(SdkErrorCode.RequestTimeout);
  });

  it("starts over on reset (progress)", async () => {
    const d = deadline(300);
    await sleep(200);
    d.reset();
    await sleep(200);
    expect(d.signal.aborted).toBe(false);
    await sleep(250);
    expect(d.signal.aborted).toBe(true);
  });

  it("stops while the client answers, then resumes with the time that was left", async () => {
    const d = deadline(300);
    await sleep(50);
    const ctx = pausedWhileClientAnswers(
      { onServerRequest: async () => (await sleep(300)) ?? { answered: true } },
      d,
    );
    await expect(ctx.onServerRequest?.({ method: "sampling/createMessage" })).resolves.toEqual({
      answered: true,
    });
    expect(d.signal.aborted).toBe(false);
    await sleep(50);
    expect(d.signal.aborted).toBe(false);
    await sleep(300);
    expect(d.signal.aborted).toBe(true);
  });

  it("stays stopped until the last of concurrent answers is in", async () => {
    const d = deadline(80);
    const ctx = pausedWhileClientAnswers({ onServerRequest: async () => ({}) }, d);
    const answer = ctx.onServerRequest;
    const slow = d.paused(() => sleep(250));
    await answer?.({ method: "roots/list" });
    await sleep(150);
    expect(d.signal.aborted).toBe(false);
    await slow;
    await sleep(150);
    expect(d.signal.aborted).toBe(true);
  });

  it("leaves a context without onServerRequest as it is", () => {
    const ctx = { timeoutMs: 5 };
    expect(pausedWhileClientAnswers(ctx, deadline(10))).toBe(ctx);
  });
});
