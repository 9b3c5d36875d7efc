#!/usr/bin/env node
// Writes docs/configuration.md from the settings schema of the BUILT gateway-core
// (run `pnpm build` first). packages/gateway-core/test/config-docs.test.ts fails when it is stale.
import { writeFileSync } from "node:fs";
import { renderConfigurationDocs } from "../packages/gateway-core/dist/config/config-docs.js";

const target = new URL("../docs/configuration.md", import.meta.url);
writeFileSync(target, renderConfigurationDocs());
process.stdout.write(`wrote ${target.pathname}\n`);
