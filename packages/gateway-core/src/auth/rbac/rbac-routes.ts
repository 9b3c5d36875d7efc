import { Hono } from "hono";
import { readJsonBody } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import type { GatewayEnv } from "../principal.js";
import { authBodyLimit } from "../users/session-routes.js";
import type { GrantService } from "./grant-service.js";
import type { PermissionService } from "./permission-service.js";
import {
  permissionCheckSchema,
  roleAssignSchema,
  roleCreateSchema,
  roleListQuerySchema,
  roleRevokeQuerySchema,
  roleUpdateSchema,
  teamContextQuerySchema,
} from "./role-schema.js";
import type { RoleService } from "./role-service.js";

const emailParam = (value: string): string => value.trim().toLowerCase();

/** The services behind `/rbac`. */
export interface RbacServices {
  readonly roles: RoleService;
  readonly grants: GrantService;
  readonly permissions: PermissionService;
}

/** `/rbac`: roles, grants, and the caller's own roles and permissions (ContextForge's routes). */
export function createRbacRoutes({ roles, grants, permissions }: RbacServices): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();
  // Mounted before the app-wide body limit, like the other auth routes: small bodies only.
  router.use("*", authBodyLimit);

  router.get("/roles", async (c) => {
    const query = parseWith(roleListQuerySchema, c.req.query(), ["query"]);
    return c.json(await roles.list(c.get("principal"), query));
  });
  router.post("/roles", async (c) => {
    const input = parseWith(roleCreateSchema, await readJsonBody(c), ["body"]);
    return c.json(await roles.create(c.get("principal"), input));
  });
  router.get("/roles/:id", async (c) => c.json(await roles.get(c.get("principal"), c.req.param("id"))));
  router.put("/roles/:id", async (c) => {
    const input = parseWith(roleUpdateSchema, await readJsonBody(c), ["body"]);
    return c.json(await roles.update(c.get("principal"), c.req.param("id"), input));
  });
  router.delete("/roles/:id", async (c) => {
    await roles.delete(c.get("principal"), c.req.param("id"));
    return c.json({ message: "Role deleted successfully" });
  });

  router.get("/users/:email/roles", async (c) => {
    const query = parseWith(roleListQuerySchema, c.req.query(), ["query"]);
    return c.json(await grants.list(c.get("principal"), emailParam(c.req.param("email")), query));
  });
  router.post("/users/:email/roles", async (c) => {
    const input = parseWith(roleAssignSchema, await readJsonBody(c), ["body"]);
    return c.json(await grants.assign(c.get("principal"), emailParam(c.req.param("email")), input));
  });
  router.delete("/users/:email/roles/:roleId", async (c) => {
    const query = parseWith(roleRevokeQuerySchema, c.req.query(), ["query"]);
    const principal = c.get("principal");
    await grants.revoke(principal, emailParam(c.req.param("email")), c.req.param("roleId"), query);
    return c.json({ message: "Role revoked successfully" });
  });

  router.get("/my/roles", async (c) => c.json(await grants.mine(c.get("principal"))));
  router.get("/my/permissions", (c) => {
    const { team_id } = parseWith(teamContextQuerySchema, c.req.query(), ["query"]);
    return c.json(permissions.mine(c.get("principal"), team_id));
  });

  router.post("/permissions/check", async (c) => {
    const input = parseWith(permissionCheckSchema, await readJsonBody(c), ["body"]);
    return c.json(await permissions.check(c.get("principal"), input));
  });
  router.get("/permissions/available", (c) => c.json(permissions.available()));

  return router;
}
