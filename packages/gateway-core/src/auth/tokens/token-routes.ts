import { type Context, Hono } from "hono";
import { readJsonBody } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import type { GatewayEnv } from "../principal.js";
import { authBodyLimit } from "../users/session-routes.js";
import {
  adminTokenListQuerySchema,
  type TokenRevoke,
  tokenCreateSchema,
  tokenListQuerySchema,
  tokenRevokeSchema,
  tokenUpdateSchema,
} from "./token-schema.js";
import type { TokenService } from "./token-service.js";

/** The optional `{"reason": ...}` of a revocation: no body is no reason. */
async function revokeBody(c: Context<GatewayEnv>): Promise<TokenRevoke> {
  if ((await c.req.text()) === "") return { reason: null };
  return parseWith(tokenRevokeSchema, await readJsonBody(c), ["body"]);
}

/** `/tokens`: the caller's API tokens, and (platform admins) everyone's under `/tokens/admin`. */
export function createTokenRoutes(tokens: TokenService): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();
  // Mounted before the app-wide body limit, like the other auth routes: small bodies only.
  router.use("*", authBodyLimit);

  router.post("/", async (c) => {
    const input = parseWith(tokenCreateSchema, await readJsonBody(c), ["body"]);
    return c.json(await tokens.create(c.get("principal"), input), 201);
  });

  router.get("/", async (c) => {
    const query = parseWith(tokenListQuerySchema, c.req.query(), ["query"]);
    return c.json(await tokens.list(c.get("principal"), query));
  });

  router.get("/admin/all", async (c) => {
    const query = parseWith(adminTokenListQuerySchema, c.req.query(), ["query"]);
    return c.json(await tokens.listAll(c.get("principal"), query));
  });

  router.delete("/admin/:id", async (c) => {
    const { reason } = await revokeBody(c);
    await tokens.adminRevoke(c.get("principal"), c.req.param("id"), reason);
    return c.body(null, 204);
  });

  router.get("/:id", async (c) => c.json(await tokens.get(c.get("principal"), c.req.param("id"))));

  router.put("/:id", async (c) => {
    const input = parseWith(tokenUpdateSchema, await readJsonBody(c), ["body"]);
    return c.json(await tokens.update(c.get("principal"), c.req.param("id"), input));
  });

  router.delete("/:id", async (c) => {
    const { reason } = await revokeBody(c);
    await tokens.revoke(c.get("principal"), c.req.param("id"), reason);
    return c.body(null, 204);
  });

  return router;
}
