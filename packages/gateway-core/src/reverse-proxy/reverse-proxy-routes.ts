import { Hono } from "hono";
import type { GatewayEnv } from "../auth/principal.js";
import type { ReverseProxyAdmin } from "./reverse-proxy-admin.js";

/** `/reverse-proxy/sessions`: the connected reverse proxies (mounted after authentication). */
export function createReverseProxyRoutes(admin: ReverseProxyAdmin): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();
  router.get("/sessions", async (c) => c.json(await admin.list(c.get("principal"))));
  router.delete("/sessions/:id", async (c) => {
    const id = c.req.param("id");
    await admin.disconnect(c.get("principal"), id);
    return c.json({ status: "success", message: `Reverse proxy session ${id} disconnected` });
  });
  return router;
}
