import { Hono } from "hono";
import type { VersionInfo } from "./version-info.js";

/** `/health` (liveness, no auth) and `/version` (what is running). */
export function createHealthRoutes(versionInfo: () => VersionInfo): Hono {
  const routes = new Hono();
  routes.get("/health", (c) => c.json({ status: "healthy" }));
  routes.get("/version", (c) => c.json(versionInfo()));
  return routes;
}
