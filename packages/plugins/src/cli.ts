#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { BUILTIN_PLUGINS } from "./builtin-plugins.js";
import { validatePluginFile } from "./validate-plugin-file.js";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command("mcpplugins")
  .description("Inspect ContextForge's built-in plugins and check plugin configuration files.")
  .version(version, "-V, --version", "print the version and exit");

program
  .command("list")
  .description("list the built-in plugins with the hooks they implement")
  .option("--json", "print JSON")
  .action((options: { json?: boolean }) => {
    const rows = BUILTIN_PLUGINS.map(({ kind, description, hooks }) => ({ kind, description, hooks }));
    if (options.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    for (const row of rows) process.stdout.write(`${row.kind}\t${row.hooks.join(",")}\t${row.description}\n`);
  });

program
  .command("validate")
  .description("validate a plugin configuration file (YAML or JSON with a top-level plugins: list)")
  .argument("<file>", "path to the configuration file")
  .action(async (file: string) => {
    const report = await validatePluginFile(file);
    if (report.problems.length > 0) {
      for (const problem of report.problems) process.stderr.write(`${problem}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`${file}: ${report.plugins.length} plugin(s) valid\n`);
  });

await program.parseAsync(process.argv);
