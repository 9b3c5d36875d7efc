import { Hono } from "hono";
import type { VersionInfo } from "./version-info.js";

/** What the health routes need from the rest of the gateway. */
export interface HealthDependencies {
  readonly versionInfo: () => VersionInfo;
  /** Resolves when every dependency (database, cache) answers; rejects with the reason otherwise. */
  readonly checkReadiness: () => Promise<void>;
}

/** `/health` (liveness, no auth), `/ready` (dependencies answer, no auth) and `/version`. */
export function createHealthRoutes({ versionInfo, checkReadiness }: HealthDependencies): Hono {
  const routes = new Hono();
  routes.get("/health", (c) => c.json({ status: "healthy" }));
  routes.get("/ready", async (c) => {
    try {
      await checkReadiness();
      return c.json({ status: "ready" });
    } catch (error) {
      return c.json(
        { status: "not ready", error: error instanceof Error ? error.message : String(error) },
        503,
      );
    }
  });
  routes.get("/version", (c) => c.json(versionInfo()));
  return routes;
}
