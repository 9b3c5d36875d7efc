import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../db/database-schema.js";
import { readOrCreateFederationId } from "./federation-identity-repository.js";

/** This gateway's identity among federated peers (the `via` marker, list `_meta`, mDNS TXT). */
export interface FederationIdentity {
  /**
   * FEDERATION_ID when set; else the id stored in the database once {@link load} has run, and a
   * random one of this process before.
   */
  readonly id: string;
  /** Reads the stored id, storing a new random one at first start; no-op when FEDERATION_ID is set. */
  load(): Promise<string>;
}

/**
 * Creates the identity: `configured` (FEDERATION_ID) wins; otherwise it lives in the database, so
 * it survives restarts and every replica of one database shares it (they are one gateway).
 */
export function createFederationIdentity(db: Kysely<DatabaseSchema>, configured: string): FederationIdentity {
  let id = configured || randomUUID();
  let loading: Promise<string> | undefined;
  return {
    get id() {
      return id;
    },
    load() {
      if (configured) return Promise.resolve(id);
      loading ??= readOrCreateFederationId(db, randomUUID(), new Date().toISOString()).then((stored) => {
        id = stored;
        return stored;
      });
      return loading;
    },
  };
}
