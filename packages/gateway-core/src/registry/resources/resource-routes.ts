import { type Context, Hono } from "hono";
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
import { resourceCreateSchema, resourceUpdateSchema } from "./resource-schema.js";
import type { ResourceService } from "./resource-service.js";

const templatesQuery = z.strictObject({ include_inactive: z.enum(["true", "false"]).optional() });

/** `/resources`: ContextForge's resource routes (`GET /resources/{id}` returns the content). */
export function createResourceRoutes(resources: ResourceService, limits: PageLimits): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();

  router.post("/", async (c) => {
    const { entity, extras } = unwrapBody(await readJsonBody(c), "resource");
    const input = parseWith(resourceCreateSchema, snakeCaseKeys(entity), ["body", "resource"]);
    return c.json(
      await resources.create(withExtras(authorizeCreate(c, "resources", input), extras), actorOf(c)),
    );
  });

  router.get("/templates/list", async (c) => {
    const query = parseWith(templatesQuery, c.req.query(), ["query"]);
    const principal = c.get("principal");
    const templates = (await resources.templates(query.include_inactive === "true")).filter((t) =>
      canSee(principal, ownershipOf(t)),
    );
    return c.json({ resourceTemplates: templates, nextCursor: null, _meta: {} });
  });

  const readable = async (c: Context<GatewayEnv>) => {
    const id = c.req.param("id") ?? "";
    return authorizeEntity(c.get("principal"), "resources", "read", await resources.get(id), "Resource", id);
  };
  router.get("/:id", async (c) => {
    await readable(c);
    return c.json(await resources.read(c.req.param("id")));
  });
  router.get("/:id/info", async (c) => c.json(await readable(c)));

  mountEntityRoutes(router, {
    service: resources,
    updateSchema: resourceUpdateSchema,
    key: "resource",
    label: "Resource",
    listKey: "resources",
    limits,
    stateAnswer: "wrapped",
    deletedMessage: (id) => `Resource ${id} deleted`,
    resource: "resources",
  });
  return router;
}
