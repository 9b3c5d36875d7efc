import { Hono } from "hono";
import { z } from "zod";
import type { GatewayEnv } from "../../auth/principal.js";
import { actorOf, mountEntityRoutes } from "../shared/entity-routes.js";
import { snakeCaseKeys } from "../shared/input-keys.js";
import type { PageLimits } from "../shared/list-query.js";
import { readJsonBody, unwrapBody, withExtras } from "../shared/read-json-body.js";
import { parseWith } from "../shared/zod-issues.js";
import { promptCreateSchema, promptUpdateSchema } from "./prompt-schema.js";
import type { PromptService } from "./prompt-service.js";

const renderArgs = z.record(z.string(), z.string().max(65_536));

/** `/prompts`: ContextForge's prompt routes (GET and POST on an id render the prompt). */
export function createPromptRoutes(prompts: PromptService, limits: PageLimits): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();

  router.post("/", async (c) => {
    const { entity, extras } = unwrapBody(await readJsonBody(c), "prompt");
    const input = parseWith(promptCreateSchema, snakeCaseKeys(entity), ["body", "prompt"]);
    return c.json(await prompts.create(withExtras(input, extras), actorOf(c)));
  });

  // ContextForge renders on GET /prompts/{id} (no arguments) and POST /prompts/{id} (arguments
  // as the body); the definition itself is at /prompts/{id}/info.
  router.get("/:id", async (c) => c.json(await prompts.render(c.req.param("id"), {})));
  router.post("/:id", async (c) => {
    const args = parseWith(renderArgs, await readJsonBody(c), ["body"]);
    return c.json(await prompts.render(c.req.param("id"), args));
  });
  router.get("/:id/info", async (c) => c.json(await prompts.get(c.req.param("id"))));

  mountEntityRoutes(router, {
    service: prompts,
    updateSchema: promptUpdateSchema,
    key: "prompt",
    label: "Prompt",
    listKey: "prompts",
    limits,
    stateAnswer: "wrapped",
    deletedMessage: (id) => `Prompt ${id} deleted`,
  });
  return router;
}
