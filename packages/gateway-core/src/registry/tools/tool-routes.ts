import { Hono } from "hono";
import type { GatewayEnv } from "../../auth/principal.js";
import { actorOf, authorizeCreate, mountEntityRoutes } from "../shared/entity-routes.js";
import { snakeCaseKeys } from "../shared/input-keys.js";
import type { PageLimits } from "../shared/list-query.js";
import { readJsonBody, unwrapBody, withExtras } from "../shared/read-json-body.js";
import { parseWith } from "../shared/zod-issues.js";
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
