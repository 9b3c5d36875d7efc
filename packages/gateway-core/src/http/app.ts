import { Hono } from "hono";
import type { Settings } from "../config/settings-schema.js";
import { toHttpError } from "../errors/to-http.js";
import { createHealthRoutes, type HealthDependencies } from "../health/health-routes.js";
import type { Logger } from "../observability/logger.js";

/** Collaborators the HTTP app is built from. */
export interface AppDependencies {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly health: HealthDependencies;
}

/** The gateway's Hono app: middleware order, every route mount, one error mapping. */
export function createApp({ settings, logger, health }: AppDependencies): Hono {
  const app = new Hono();
  app.route("/", createHealthRoutes(health));
  app.notFound((c) => c.json({ detail: "Not Found", code: "not_found" }, 404));
  app.onError((error, c) => {
    const { status, body } = toHttpError(error, settings.EXPOSE_ERROR_DETAILS);
    if (status >= 500) logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json(body, status);
  });
  return app;
}
