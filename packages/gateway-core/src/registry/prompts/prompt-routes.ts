import { type Context, Hono } from "hono";
import { z } from "zod";
import type { GatewayEnv } from "../../auth/principal.js";
import { snakeCaseKeys } from "../../edge/input-keys.js";
import { readJsonBody, unwrapBody, withExtras } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import { actorOf, authorizeCreate, authorizeEntity, mountEntityRoutes } from "../shared/entity-routes.js";
import type { PageLimits } from "../shared/list-query.js";
import { promptCreateSchema, promptUpdateSchema } from "./prompt-schema.js";
import type { PromptService } from "./prompt-service.js";

const renderArgs = z.record(z.string(), z.string().max(65_536));

/** `/prompts`: ContextForge's prompt routes (GET and POST on an id render the prompt). */
export function createPromptRoutes(prompts: PromptService, limits: PageLimits): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();

  router.post("/", async (c) => {
    const { entity, extras } = unwrapBody(await readJsonBody(c), "prompt");
    const input = parseWith(promptCreateSchema, snakeCaseKeys(entity), ["body", "prompt"]);
    return c.json(await prompts.create(withExtras(authorizeCreate(c, "prompts", input), extras), actorOf(c)));
  });

  // ContextForge renders on GET /prompts/{id} (no arguments) and POST /prompts/{id} (arguments
  // as the body); the definition itself is at /prompts/{id}/info.
  const allowed = async (c: Context<GatewayEnv>, action: string) => {
    const id = c.req.param("id") ?? "";
    return authorizeEntity(c.get("principal"), "prompts", action, await prompts.get(id), "Prompt", id);
  };
  router.get("/:id", async (c) => {
    await allowed(c, "read");
    return c.json(await prompts.render(c.req.param("id"), {}));
  });
  router.post("/:id", async (c) => {
    await allowed(c, "read");
    const args = parseWith(renderArgs, await readJsonBody(c), ["body"]);
    return c.json(await prompts.render(c.req.param("id"), args));
  });
  router.get("/:id/info", async (c) => c.json(await allowed(c, "read")));

  mountEntityRoutes(router, {
    service: prompts,
    updateSchema: promptUpdateSchema,
    key: "prompt",
    label: "Prompt",
    listKey: "prompts",
    limits,
    stateAnswer: "wrapped",
    deletedMessage: (id) => `Prompt ${id} deleted`,
    resource: "prompts",
  });
  return router;
}
