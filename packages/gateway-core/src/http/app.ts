import { Hono } from "hono";
import type { Settings } from "../config/settings-schema.js";
import { toHttpError } from "../errors/to-http.js";
import { createHealthRoutes } from "../health/health-routes.js";
import type { VersionInfo } from "../health/version-info.js";
import type { Logger } from "../observability/logger.js";

/** Collaborators the HTTP app is built from. */
export interface AppDependencies {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly versionInfo: () => VersionInfo;
}

/** The gateway's Hono app: middleware order, every route mount, one error mapping. */
export function createApp({ settings, logger, versionInfo }: AppDependencies): Hono {
  const app = new Hono();
  app.route("/", createHealthRoutes(versionInfo));
  app.notFound((c) => c.json({ detail: "Not Found", code: "not_found" }, 404));
  app.onError((error, c) => {
    const { status, body } = toHttpError(error, settings.EXPOSE_ERROR_DETAILS);
    if (status >= 500) logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json(body, status);
  });
  return app;
}
