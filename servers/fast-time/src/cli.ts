#!/usr/bin/env node
import { createProgram } from "./cli/create-program.js";

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  console.error(`mcp-fast-time: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
