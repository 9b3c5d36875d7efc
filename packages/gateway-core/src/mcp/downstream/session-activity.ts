import type { Cache } from "../../cache/cache.js";
import { sessionEventKey } from "./session-event-store.js";

/** How often one replica renews a session it serves: at most once a minute per session. */
const RENEW_EVERY_MS = 60_000;

/**
 * When 2025 sessions were last used, shared through the cache, so that a replica asked to resume
 * a session opened more than the idle timeout ago can tell a session in use elsewhere from an
 * abandoned one. Renewals are written at most once a minute per session and replica, in the
 * background: nothing waits for the cache on a request's path.
 */
export class SessionActivity {
  readonly #cache: Cache;
  readonly #idleSeconds: number;

  constructor(cache: Cache, idleTimeoutMs: number) {
    this.#cache = cache;
    this.#idleSeconds = Math.max(1, Math.ceil(idleTimeoutMs / 1000));
  }

  /** Notes that session `id` is used now, unless this replica did so less than a minute ago (`renewedAt`). */
  renew(id: string, renewedAt: number): number {
    const now = Date.now();
    if (now - renewedAt < RENEW_EVERY_MS) return renewedAt;
    this.#cache.set(this.#key(id), "1", this.#idleSeconds).catch(() => {
      // The cache is away: a session older than the idle timeout resumes only where it lives.
    });
    return now;
  }

  /** Whether session `id` was used within the idle timeout (on any replica sharing the cache). */
  async isActive(id: string): Promise<boolean> {
    try {
      return (await this.#cache.get(this.#key(id))) !== undefined;
    } catch {
      return false;
    }
  }

  #key(id: string): string {
    return `mcp-session-active:${sessionEventKey(id)}`;
  }
}
