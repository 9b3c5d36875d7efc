import { serve } from "@hono/node-server";
import { createHostApp } from "./index.js";

const { app } = createHostApp();
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, hostname: "127.0.0.1", port }, ({ port: bound }) => {
  console.log(`host app on http://127.0.0.1:${bound}/ (gateway health: /gateway/health)`);
});
