import { Hono } from "hono";
import { z } from "zod";
import type { GatewayEnv } from "../../auth/principal.js";
import { snakeCaseKeys } from "../../edge/input-keys.js";
import { readJsonBody } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import { actorOf, authorizeCreate, authorizeEntity, mountEntityRoutes } from "../shared/entity-routes.js";
import type { PageLimits } from "../shared/list-query.js";
import { gatewayCreateSchema, gatewayUpdateSchema } from "./gateway-schema.js";
import type { GatewayService } from "./gateway-service.js";

const refreshQuery = z.strictObject({
  include_resources: z.enum(["true", "false"]).optional(),
  include_prompts: z.enum(["true", "false"]).optional(),
});

/** `/gateways`: registered upstream MCP servers (create bodies are not wrapped). */
export function createGatewayRoutes(gateways: GatewayService, limits: PageLimits): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();

  router.post("/", async (c) => {
    const input = parseWith(gatewayCreateSchema, snakeCaseKeys(await readJsonBody(c)), ["body"]);
    return c.json(await gateways.create(authorizeCreate(c, "gateways", input), actorOf(c)));
  });

  router.post("/:id/tools/refresh", async (c) => {
    const query = parseWith(refreshQuery, c.req.query(), ["query"]);
    const id = c.req.param("id");
    authorizeEntity(c.get("principal"), "gateways", "update", await gateways.get(id), "Gateway", id);
    const result = await gateways.refresh(
      c.req.param("id"),
      { resources: query.include_resources === "true", prompts: query.include_prompts === "true" },
      actorOf(c),
    );
    return c.json(result);
  });

  mountEntityRoutes(router, {
    service: gateways,
    updateSchema: gatewayUpdateSchema,
    key: "gateway",
    label: "Gateway",
    listKey: "gateways",
    limits,
    stateAnswer: "wrapped",
    deletedMessage: (id) => `Gateway ${id} deleted`,
    resource: "gateways",
  });
  return router;
}
