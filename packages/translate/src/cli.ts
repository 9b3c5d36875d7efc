#!/usr/bin/env node
import { createProgram } from "./program.js";

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`mcptranslate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
