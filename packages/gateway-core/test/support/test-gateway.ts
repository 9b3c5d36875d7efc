import type { DialectName } from "../../src/db/database-url.js";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { createTestDatabase, type TestDatabase } from "./dialect-matrix.js";

/** A migrated gateway on a fresh database of one engine, driven through `app.request()`. */
export interface TestGateway {
  readonly gateway: Gateway;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** `request` plus the parsed JSON answer. */
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
  /** Stops this gateway and starts a new one on the same database (a restart). */
  restart(): Promise<TestGateway>;
}

const SECRET = "test-secret-test-secret-test-secret-test-secret";

/** Starts a gateway (no socket) on a new database of `dialect` with `env` overrides. */
export async function createTestGateway(
  dialect: DialectName,
  label: string,
  env: Record<string, string> = {},
): Promise<TestGateway> {
  return openTestGateway(await createTestDatabase(dialect, label), env);
}

async function openTestGateway(database: TestDatabase, env: Record<string, string>): Promise<TestGateway> {
  const gateway = createGateway({
    settings: loadSettings({
      DATABASE_URL: database.url,
      DB_POOL_SIZE: "4",
      DB_MAX_OVERFLOW: "0",
      LOG_LEVEL: "silent",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      ...env,
    }),
  });
  await gateway.prepare();
  const authorization = `Bearer ${await gateway.mintToken("admin@example.com", 60)}`;
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ) => {
    const headers = { authorization, ...extra };
    return gateway.app.request(path, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  };
  return {
    gateway,
    request,
    async json<T>(method: string, path: string, body?: unknown) {
      const response = await request(method, path, body);
      return { status: response.status, body: (await response.json()) as T };
    },
    async close() {
      await gateway.stop();
      await database.drop();
    },
    async restart() {
      await gateway.stop();
      return openTestGateway(database, env);
    },
  };
}
