import { Hono } from "hono";
import { z } from "zod";
import { canSee } from "../../auth/access.js";
import type { GatewayEnv } from "../../auth/principal.js";
import { snakeCaseKeys } from "../../edge/input-keys.js";
import { readJsonBody, unwrapBody, withExtras } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import {
  actorOf,
  authorizeCreate,
  authorizeEntity,
  mountEntityRoutes,
  ownershipOf,
} from "../shared/entity-routes.js";
import type { PageLimits } from "../shared/list-query.js";
import { serverCreateSchema, serverUpdateSchema } from "./server-schema.js";
import type { ServerService } from "./server-service.js";

const itemsQuery = z.strictObject({
  include_inactive: z.enum(["true", "false"]).optional(),
  include_metrics: z.enum(["true", "false"]).optional(),
});

/** `/servers`: virtual servers (create answers 201, state answers the server itself). */
export function createServerRoutes(servers: ServerService, limits: PageLimits): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();

  router.post("/", async (c) => {
    const { entity, extras } = unwrapBody(await readJsonBody(c), "server");
    const input = parseWith(serverCreateSchema, snakeCaseKeys(entity), ["body", "server"]);
    return c.json(
      await servers.create(withExtras(authorizeCreate(c, "servers", input), extras), actorOf(c)),
      201,
    );
  });

  for (const kind of ["tools", "resources", "prompts"] as const) {
    router.get(`/:id/${kind}`, async (c) => {
      const query = parseWith(itemsQuery, c.req.query(), ["query"]);
      const id = c.req.param("id");
      const principal = c.get("principal");
      authorizeEntity(principal, "servers", "read", await servers.get(id), "Server", id);
      const items = await servers[kind](id, query.include_inactive === "true");
      // The same rule as the server's MCP view: items the caller may not see are left out.
      return c.json((items as unknown[]).filter((item) => canSee(principal, ownershipOf(item))));
    });
  }

  mountEntityRoutes(router, {
    service: servers,
    updateSchema: serverUpdateSchema,
    key: "server",
    label: "Server",
    listKey: "servers",
    limits,
    stateAnswer: "bare",
    deletedMessage: (id) => `Server ${id} deleted successfully`,
    resource: "servers",
  });
  return router;
}
