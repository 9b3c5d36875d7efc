import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { type Bus, checkTopic, createBusListeners } from "./bus.js";
import type { CacheLogger } from "./cache.js";
import type { CacheTables } from "./cache-tables.js";

/** Options of {@link createDatabaseBus}. */
export interface DatabaseBusOptions {
  readonly db: Kysely<CacheTables>;
  readonly logger: CacheLogger;
  readonly instanceId?: string;
  /** Milliseconds between reads of new events; default 500. */
  readonly pollIntervalMs?: number;
  /** Milliseconds an event is kept before pruning; default ten minutes. */
  readonly retentionMs?: number;
}

const BATCH = 500;
/** An id skipped by the sequence may belong to an insert not committed yet: look again this long. */
const GAP_WAIT_MS = 5_000;
const MAX_GAPS = 200;
const PRUNE_EVERY_MS = 60_000;

function parsePayload(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The bus of `CACHE_TYPE=database`: messages are rows of `bus_events`, and each replica reads
 * the rows after the last id it saw every 500 ms (starting from the newest at start). Ids
 * come from the engine's sequence, which can hand out an id to an insert that commits after a
 * later one: a skipped id is looked for again for a few seconds, so it is not lost.
 */
export function createDatabaseBus(options: DatabaseBusOptions): Bus {
  const { db, logger } = options;
  const instanceId = options.instanceId ?? randomUUID();
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const retentionMs = options.retentionMs ?? 600_000;
  const listeners = createBusListeners(logger);
  let problem: string | undefined = "database bus not started";
  let cursor: number | undefined;
  const gaps = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  let lastPrune = 0;
  let started = false;
  let closed = false;

  const read = async (): Promise<void> => {
    if (cursor === undefined) {
      const row = await db
        .selectFrom("bus_events")
        .select((eb) => eb.fn.max("id").as("last"))
        .executeTakeFirst();
      cursor = Number(row?.last ?? 0);
      return;
    }
    const after = cursor;
    const missing = [...gaps.keys()];
    const rows = await db
      .selectFrom("bus_events")
      .select(["id", "topic", "payload", "origin"])
      .where((eb) =>
        missing.length > 0 ? eb.or([eb("id", ">", after), eb("id", "in", missing)]) : eb("id", ">", after),
      )
      .orderBy("id")
      .limit(BATCH)
      .execute();
    const now = Date.now();
    for (const row of rows) {
      const id = Number(row.id);
      if (!gaps.delete(id) && id > (cursor ?? 0)) {
        for (let skipped = (cursor ?? 0) + 1; skipped < id && gaps.size < MAX_GAPS; skipped++)
          gaps.set(skipped, now + GAP_WAIT_MS);
        cursor = id;
      }
      if (row.origin === instanceId) continue;
      const payload = parsePayload(row.payload);
      if (payload.ok) listeners.deliver(row.topic, payload.value);
    }
    for (const [id, until] of gaps) if (until <= now) gaps.delete(id);
  };

  const prune = async (): Promise<void> => {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    const before = new Date(Date.now() - retentionMs).toISOString();
    await db.deleteFrom("bus_events").where("created_at", "<", before).execute();
    // An engine that forgets its sequence on restart (old MySQL, an emptied table) starts ids
    // again below the cursor: follow it down, and assume the events in between were missed.
    const row = await db
      .selectFrom("bus_events")
      .select((eb) => eb.fn.max("id").as("last"))
      .executeTakeFirst();
    const last = row?.last === null || row?.last === undefined ? undefined : Number(row.last);
    if (last !== undefined && cursor !== undefined && last < cursor) {
      cursor = last;
      gaps.clear();
      listeners.resync();
    }
  };

  const poll = async (): Promise<void> => {
    try {
      await read();
      await prune();
      if (problem !== undefined && started) {
        const wasDown = problem !== "database bus starting";
        problem = undefined;
        if (wasDown) {
          logger.info({}, "database bus reading again; refreshing local state");
          listeners.resync();
        }
      }
    } catch (error) {
      if (closed) return;
      if (problem === undefined) logger.warn({ err: error }, "database bus cannot read events; retrying");
      problem = `database bus unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      polling = poll().finally(schedule);
    }, pollIntervalMs);
    timer.unref();
  };

  return {
    instanceId,
    get problem() {
      return problem;
    },
    async start() {
      if (started || closed) return;
      started = true;
      problem = "database bus starting";
      polling = poll();
      await polling;
      schedule();
    },
    async publish(topic, payload) {
      checkTopic(topic);
      if (closed) return;
      await db
        .insertInto("bus_events")
        .values({
          topic,
          payload: JSON.stringify(payload) ?? "null",
          origin: instanceId,
          created_at: new Date().toISOString(),
        })
        .execute();
    },
    subscribe: listeners.subscribe,
    onResync: listeners.onResync,
    async close() {
      closed = true;
      clearTimeout(timer);
      await polling;
      problem = "database bus closed";
    },
  };
}
