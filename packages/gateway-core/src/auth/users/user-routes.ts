import { type Context, Hono } from "hono";
import { snakeCaseKeys } from "../../edge/input-keys.js";
import { readJsonBody } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import { GatewayError } from "../../errors/gateway-error.js";
import { holdsAnywhere } from "../access.js";
import type { GatewayEnv, Principal } from "../principal.js";
import { authBodyLimit } from "./session-routes.js";
import {
  registrationSchema,
  userCreateSchema,
  userListQuerySchema,
  userUpdateSchema,
} from "./user-schema.js";
import type { UserService } from "./user-service.js";

/** The caller must manage users: a platform admin or a holder of `admin.user_management`. */
function userManager(c: Context<GatewayEnv>): Principal {
  const principal = c.get("principal");
  if (!holdsAnywhere(principal, "admin.user_management")) {
    throw new GatewayError("forbidden", "Insufficient permissions: admin.user_management is required");
  }
  return principal;
}

/** Only a platform admin may make, change or remove an admin (no escalation through user management). */
function assertMayTouchAdmins(principal: Principal): void {
  if (!principal.isAdmin) {
    throw new GatewayError(
      "forbidden",
      "Only a platform administrator may create, change or delete administrators",
    );
  }
}

/**
 * `/auth/email/register` (administrators only: there is no self-registration) and the user
 * administration under `/auth/email/admin/users`: mount at `/auth/email` after the guard.
 */
export function createUserRoutes(
  users: UserService,
  limits: { readonly pageSize: number; readonly maxPageSize: number },
): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();
  const listQuery = userListQuerySchema(limits);

  router.post("/register", authBodyLimit, async (c) => {
    const principal = c.get("principal");
    if (!holdsAnywhere(principal, "admin.user_management")) {
      throw new GatewayError(
        "forbidden",
        "Public registration is disabled. Please contact an administrator to create an account.",
      );
    }
    const input = parseWith(registrationSchema, snakeCaseKeys(await readJsonBody(c)), ["body"]);
    return c.json(await users.create(input, principal.subject), 201);
  });

  router.get("/admin/users", async (c) => {
    userManager(c);
    const query = parseWith(listQuery, c.req.query(), ["query"]);
    const page = await users.list(query);
    return query.includePagination
      ? c.json({ users: page.items, nextCursor: page.nextCursor })
      : c.json(page.items);
  });

  router.post("/admin/users", authBodyLimit, async (c) => {
    const principal = userManager(c);
    const input = parseWith(userCreateSchema, snakeCaseKeys(await readJsonBody(c)), ["body"]);
    if (input.is_admin) assertMayTouchAdmins(principal);
    return c.json(await users.create(input, principal.subject), 201);
  });

  router.get("/admin/users/:email", async (c) => {
    userManager(c);
    return c.json(await users.get(c.req.param("email")));
  });

  router.put("/admin/users/:email", authBodyLimit, async (c) => {
    const principal = userManager(c);
    const input = parseWith(userUpdateSchema, snakeCaseKeys(await readJsonBody(c)), ["body"]);
    const current = await users.get(c.req.param("email"));
    if (input.is_admin !== undefined || current.is_admin) assertMayTouchAdmins(principal);
    return c.json(await users.update(current.email, input));
  });

  router.delete("/admin/users/:email", async (c) => {
    const principal = userManager(c);
    const current = await users.get(c.req.param("email"));
    if (current.is_admin) assertMayTouchAdmins(principal);
    await users.delete(current.email, principal.subject);
    return c.json({ success: true, message: `User ${current.email} has been deleted` });
  });

  router.post("/admin/users/:email/unlock", async (c) => {
    userManager(c);
    const user = await users.unlock(c.req.param("email"));
    return c.json({ success: true, message: `User ${user.email} has been unlocked` });
  });

  return router;
}
