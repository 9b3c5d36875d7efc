import type { Context, Hono } from "hono";
import { z } from "zod";
import type { GatewayEnv } from "../../auth/principal.js";
import { snakeCaseKeys } from "./input-keys.js";
import { type ListQuery, type PageLimits, parseListQuery } from "./list-query.js";
import { readJsonBody } from "./read-json-body.js";
import { parseWith } from "./zod-issues.js";

/** What every registry service offers beyond create. */
export interface EntityService<Read, Update> {
  list(query: ListQuery): Promise<{ items: Read[]; nextCursor: string | null }>;
  get(id: string): Promise<Read>;
  update(id: string, input: Update, actor?: string): Promise<Read>;
  setEnabled(id: string, enabled: boolean, actor?: string): Promise<Read>;
  delete(id: string): Promise<void>;
  versions(id: string): Promise<unknown[]>;
  restore(id: string, version: number, actor?: string): Promise<Read>;
}

/** How one entity's routes are spelled (ContextForge's words). */
export interface EntityRouteOptions<Read, Update> {
  readonly service: EntityService<Read, Update>;
  readonly updateSchema: z.ZodType<Update>;
  /** `tool`: the wrapper key of bodies and state answers. */
  readonly key: string;
  /** `Tool`: used in messages. */
  readonly label: string;
  /** `tools`: the key of paginated list answers. */
  readonly listKey: string;
  readonly limits: PageLimits;
  /** ContextForge answers state changes of servers with the object itself, others wrapped. */
  readonly stateAnswer: "wrapped" | "bare";
  /** The message of a delete answer, e.g. "Tool {id} permanently deleted". */
  readonly deletedMessage: (id: string) => string;
}

const activateParam = z.strictObject({ activate: z.enum(["true", "false"]).default("true") });

/** The caller's subject, recorded as created_by / modified_by. */
export function actorOf(c: Context<GatewayEnv>): string | undefined {
  const principal = c.get("principal");
  return principal && principal.via !== "anonymous" ? principal.subject : undefined;
}

/**
 * Mounts list, get, update, delete, state (and its `/toggle` alias), versions and restore on
 * `router` — the routes every registry entity shares.
 */
export function mountEntityRoutes<Read, Update>(
  router: Hono<GatewayEnv>,
  options: EntityRouteOptions<Read, Update>,
): void {
  const { service, key, label, listKey, limits } = options;

  router.get("/", async (c) => {
    const query = parseListQuery(c.req.query(), limits);
    const page = await service.list(query);
    return query.includePagination
      ? c.json({ [listKey]: page.items, nextCursor: page.nextCursor })
      : c.json(page.items);
  });

  router.get("/:id", async (c) => c.json((await service.get(c.req.param("id"))) as object));

  router.put("/:id", async (c) => {
    const input = parseWith(options.updateSchema, snakeCaseKeys(await readJsonBody(c)), ["body"]);
    return c.json((await service.update(c.req.param("id"), input, actorOf(c))) as object);
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    await service.delete(id);
    return c.json({ status: "success", message: options.deletedMessage(id) });
  });

  const changeState = async (c: Context<GatewayEnv>) => {
    const { activate } = parseWith(activateParam, c.req.query(), ["query"]);
    const id = c.req.param("id") ?? "";
    const enabled = activate === "true";
    const entity = await service.setEnabled(id, enabled, actorOf(c));
    if (options.stateAnswer === "bare") return c.json(entity as object);
    return c.json({
      status: "success",
      message: `${label} ${id} ${enabled ? "activated" : "deactivated"}`,
      [key]: entity,
    });
  };
  router.post("/:id/state", changeState);
  router.post("/:id/toggle", changeState);

  router.get("/:id/versions", async (c) => c.json(await service.versions(c.req.param("id"))));

  router.post("/:id/versions/:version/restore", async (c) => {
    const version = parseWith(z.coerce.number().int().min(1), c.req.param("version"), ["path", "version"]);
    return c.json((await service.restore(c.req.param("id"), version, actorOf(c))) as object);
  });
}
