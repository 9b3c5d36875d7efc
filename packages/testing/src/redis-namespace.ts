import { Redis } from "ioredis";
import { serviceUrl } from "./service-url.js";
import { uniqueName } from "./unique-name.js";

/** Options for {@link createRedisNamespace}. */
export interface CreateRedisNamespaceOptions {
  /** Server to connect to; defaults to `TEST_REDIS_URL` or the local instance. */
  readonly url?: string;
  /** Readable part of the prefix, e.g. the suite name. */
  readonly label?: string;
}

/** A key prefix owned by one test file, with a client that writes under it. */
export interface RedisNamespace {
  /** The prefix, ending in `:`; hand it to code under test that takes a key prefix option. */
  readonly prefix: string;
  /** The server URL. */
  readonly url: string;
  /**
   * A connected client whose commands are prefixed automatically (ioredis `keyPrefix`). The
   * prefix is not applied to patterns of `KEYS`/`SCAN`, which return full key names.
   */
  readonly client: Redis;
  /** Deletes every key under the prefix and closes the client. Safe to call twice. */
  cleanup(): Promise<void>;
}

async function deleteUnderPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    // SCAN returns full names, while UNLINK adds the client's keyPrefix again: strip it first.
    const relative = keys.map((key) => key.slice(prefix.length));
    if (relative.length > 0) await client.unlink(...relative);
  } while (cursor !== "0");
}

/**
 * Creates a unique key prefix and a connected client for one test file, so files running in
 * parallel against one Redis never see each other's keys. Call `cleanup()` in `afterAll`.
 */
export async function createRedisNamespace(
  options: CreateRedisNamespaceOptions = {},
): Promise<RedisNamespace> {
  const url = options.url ?? serviceUrl("redis");
  const prefix = `${uniqueName(options.label)}:`;
  const client = new Redis(url, { keyPrefix: prefix, lazyConnect: true, connectTimeout: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  let cleaned = false;
  return {
    prefix,
    url,
    client,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      // quit() resolves on the server's OK; "end" fires once the socket is really gone.
      const ended =
        client.status === "end"
          ? Promise.resolve()
          : new Promise<void>((resolve) => client.once("end", resolve));
      try {
        await deleteUnderPrefix(client, prefix);
        await client.quit();
      } catch (error) {
        client.disconnect();
        throw error;
      } finally {
        await ended;
      }
    },
  };
}
