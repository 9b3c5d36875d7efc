import { Hono } from "hono";
import type { GatewayEnv } from "../../auth/principal.js";
import { snakeCaseKeys } from "../../edge/input-keys.js";
import { readJsonBody, unwrapBody, withExtras } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import { actorOf, authorizeCreate, mountEntityRoutes } from "../shared/entity-routes.js";
import type { PageLimits } from "../shared/list-query.js";
import { toolCreateSchema, toolUpdateSchema } from "./tool-schema.js";
import type { ToolService } from "./tool-service.js";

/** `/tools`: ContextForge's tool routes. */
export function createToolRoutes(tools: ToolService, limits: PageLimits): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();

  router.post("/", async (c) => {
    const { entity, extras } = unwrapBody(await readJsonBody(c), "tool");
    const input = parseWith(toolCreateSchema, snakeCaseKeys(entity), ["body", "tool"]);
    return c.json(await tools.create(withExtras(authorizeCreate(c, "tools", input), extras), actorOf(c)));
  });

  mountEntityRoutes(router, {
    service: tools,
    updateSchema: toolUpdateSchema,
    key: "tool",
    label: "Tool",
    listKey: "tools",
    limits,
    stateAnswer: "wrapped",
    deletedMessage: (id) => `Tool ${id} permanently deleted`,
    resource: "tools",
  });
  return router;
}
