import { describe, expect, it } from "vitest";
import { createMemorySessionEventLog, STANDALONE_STREAM } from "./session-event-log.js";

describe("the in-memory session event log", () => {
  const log = () =>
    createMemorySessionEventLog({ eventsPerStream: 3, ttlSeconds: 60, maxSessions: 2, replica: "me" });

  it("keeps each stream's last few events in the order they came", async () => {
    const events = log();
    for (let i = 1; i <= 5; i++)
      await events.append("s1", "post-1", { id: `e${i}`, message: { i }, replica: "me" });
    await events.append("s1", STANDALONE_STREAM, { id: "g1", message: { i: "get" }, replica: "me" });
    expect((await events.read("s1", "post-1")).map((event) => event.id)).toEqual(["e3", "e4", "e5"]);
    expect(await events.read("s1", STANDALONE_STREAM)).toEqual([
      { id: "g1", message: { i: "get" }, replica: "me" },
    ]);
    expect(await events.read("s2", "post-1")).toEqual([]);
  });

  it("keeps the priming event's requests and holds at most maxSessions sessions", async () => {
    const events = log();
    await events.append("s1", "post", { id: "a", requests: [1, "two"], replica: "me" });
    await events.append("s2", "post", { id: "b", replica: "me" });
    await events.append("s3", "post", { id: "c", replica: "me" });
    expect(await events.read("s1", "post")).toEqual([]);
    expect(await events.read("s3", "post")).toEqual([{ id: "c", replica: "me" }]);
    await events.append("s4", "post", { id: "d", requests: [1, "two"], replica: "me" });
    expect((await events.read("s4", "post"))[0]?.requests).toEqual([1, "two"]);
  });

  it("knows only its own replica as running", async () => {
    const events = log();
    expect(await events.isRunning("me")).toBe(true);
    expect(await events.isRunning("someone-else")).toBe(false);
  });
});
