import type { Generated } from "kysely";

// The tables the database cache and bus use, as they read them (migration 0006). The I/O
// layer declares the shape it needs rather than importing db/: passing the gateway's
// `Kysely<DatabaseSchema>` where a `Kysely<CacheTables>` is expected checks the two agree.

/** SQL engines the database cache and bus run on. */
export type CacheDialect = "sqlite" | "postgres" | "mysql";

/** One cached value (`CACHE_TYPE=database`). */
export interface CacheEntriesTable {
  key: string;
  value: string;
  /** ISO-8601 UTC; null = no expiry. */
  expires_at: string | null;
}

/** One message on the database bus. */
export interface BusEventsTable {
  /** Auto-increment: the order replicas read events in. */
  id: Generated<number>;
  topic: string;
  /** JSON. */
  payload: string;
  /** The publishing instance. */
  origin: string;
  /** ISO-8601 UTC, for pruning. */
  created_at: string;
}

/** The tables of {@link CacheEntriesTable} and {@link BusEventsTable}. */
export interface CacheTables {
  cache_entries: CacheEntriesTable;
  bus_events: BusEventsTable;
}
