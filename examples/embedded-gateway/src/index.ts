import { createGateway, type Gateway, loadSettings } from "@contextforge/gateway-core";
import { Hono } from "hono";

/** Your application, with the gateway mounted under `/gateway`. */
export function createHostApp(): { app: Hono; gateway: Gateway } {
  const gateway = createGateway({ settings: loadSettings({ ...process.env, LOG_LEVEL: "warn" }) });
  const app = new Hono();
  app.get("/", (c) => c.text("my application"));
  app.route("/gateway", gateway.app);
  return { app, gateway };
}
