import type { Context, Hono } from "hono";
import { z } from "zod";
import { canSee, may, mayCreate, type Ownership, visibilityFilter } from "../../auth/access.js";
import type { GatewayEnv, Principal } from "../../auth/principal.js";
import { snakeCaseKeys } from "../../edge/input-keys.js";
import { readJsonBody } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { OwnershipInput } from "./entity-columns.js";
import { type ListQuery, type PageLimits, parseListQuery } from "./list-query.js";

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
  /** The resource of its permissions: `tools` for `tools.read`, `tools.update`, ... */
  readonly resource: RegistryResource;
}

/** The registry entities, as permission prefixes. */
export type RegistryResource = "tools" | "resources" | "prompts" | "servers" | "gateways";

const activateParam = z.strictObject({ activate: z.enum(["true", "false"]).default("true") });

/** The caller's subject, recorded as created_by / modified_by. */
export function actorOf(c: Context<GatewayEnv>): string | undefined {
  const principal = c.get("principal");
  return principal && principal.via !== "anonymous" ? principal.subject : undefined;
}

/** Who owns an entity as the API returns it (snake_case or ContextForge's camelCase aliases). */
export function ownershipOf(entity: unknown): Ownership {
  const e = entity as Record<string, unknown>;
  const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
  return {
    visibility: text(e.visibility) ?? "public",
    teamId: text(e.team_id ?? e.teamId),
    ownerEmail: text(e.owner_email ?? e.ownerEmail),
  };
}

/**
 * The entity if the caller may do `action` on it: 404 when it may not even see it (existence is
 * not revealed), 403 when it sees it but lacks the permission.
 */
export function authorizeEntity<T>(
  principal: Principal,
  resource: RegistryResource,
  action: string,
  entity: T,
  label: string,
  id: string,
): T {
  const ownership = ownershipOf(entity);
  if (!canSee(principal, ownership)) throw new GatewayError("not_found", `${label} not found: ${id}`);
  if (!may(principal, `${resource}.${action}`, ownership)) {
    throw new GatewayError(
      "forbidden",
      `you may not ${action} this ${label.toLowerCase()} (${resource}.${action})`,
    );
  }
  return entity;
}

/**
 * Checks that the caller may create a `resource` entity with this ownership and fills in the
 * owner: a team entity needs a team; only an administrator may set someone else as owner.
 */
export function authorizeCreate<I extends OwnershipInput>(
  c: Context<GatewayEnv>,
  resource: RegistryResource,
  input: I,
): I {
  const principal = c.get("principal");
  if (input.visibility === "team" && !input.team_id) {
    throw new GatewayError("validation_failed", 'visibility "team" needs a team_id', {
      issues: [{ loc: ["body", "team_id"], msg: 'visibility "team" needs a team_id', type: "missing" }],
    });
  }
  if (!mayCreate(principal, resource, input.team_id)) {
    throw new GatewayError(
      "forbidden",
      input.team_id
        ? `you may not create ${resource} in team ${input.team_id}`
        : `you may not create ${resource}`,
    );
  }
  if (principal.via === "anonymous" || principal.via === "basic") return input;
  if (input.owner_email && input.owner_email !== principal.subject && !principal.isAdmin) {
    throw new GatewayError("forbidden", "only an administrator may set another owner_email");
  }
  return { ...input, owner_email: input.owner_email ?? principal.subject };
}

/**
 * Mounts list, get, update, delete, state (and its `/toggle` alias), versions and restore on
 * `router` — the routes every registry entity shares.
 */
export function mountEntityRoutes<Read, Update>(
  router: Hono<GatewayEnv>,
  options: EntityRouteOptions<Read, Update>,
): void {
  const { service, key, label, listKey, limits, resource } = options;
  /** The entity, when the caller may do `action` on it (404/403 otherwise). */
  const authorized = async (c: Context<GatewayEnv>, action: string): Promise<Read> => {
    const id = c.req.param("id") ?? "";
    return authorizeEntity(c.get("principal"), resource, action, await service.get(id), label, id);
  };

  router.get("/", async (c) => {
    const query = parseListQuery(c.req.query(), limits);
    const page = await service.list({ ...query, access: visibilityFilter(c.get("principal")) });
    return query.includePagination
      ? c.json({ [listKey]: page.items, nextCursor: page.nextCursor })
      : c.json(page.items);
  });

  router.get("/:id", async (c) => c.json((await authorized(c, "read")) as object));

  router.put("/:id", async (c) => {
    await authorized(c, "update");
    const input = parseWith(options.updateSchema, snakeCaseKeys(await readJsonBody(c)), ["body"]);
    return c.json((await service.update(c.req.param("id"), input, actorOf(c))) as object);
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    await authorized(c, "delete");
    await service.delete(id);
    return c.json({ status: "success", message: options.deletedMessage(id) });
  });

  const changeState = async (c: Context<GatewayEnv>) => {
    const { activate } = parseWith(activateParam, c.req.query(), ["query"]);
    const id = c.req.param("id") ?? "";
    const enabled = activate === "true";
    await authorized(c, "update");
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

  router.get("/:id/versions", async (c) => {
    await authorized(c, "read");
    return c.json(await service.versions(c.req.param("id")));
  });

  router.post("/:id/versions/:version/restore", async (c) => {
    const version = parseWith(z.coerce.number().int().min(1), c.req.param("version"), ["path", "version"]);
    await authorized(c, "update");
    return c.json((await service.restore(c.req.param("id"), version, actorOf(c))) as object);
  });
}
