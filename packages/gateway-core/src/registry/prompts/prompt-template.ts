import { createRequire } from "node:module";
import type Nunjucks from "nunjucks";
import { GatewayError } from "../../errors/gateway-error.js";

const require = createRequire(import.meta.url);

// Jinja-compatible, like ContextForge's templates. No autoescaping (the output is a chat
// message, not HTML) and no loaders: a template cannot include or import files. Loaded with the
// first template checked or rendered, not at start.
let engine: { nunjucks: typeof Nunjucks; environment: Nunjucks.Environment } | undefined;

function templates(): { nunjucks: typeof Nunjucks; environment: Nunjucks.Environment } {
  if (engine === undefined) {
    const nunjucks = require("nunjucks") as typeof Nunjucks;
    engine = {
      nunjucks,
      environment: new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false }),
    };
  }
  return engine;
}

/** Throws a 422 when `template` does not compile; returns it unchanged otherwise. */
export function checkTemplate(template: string): string {
  try {
    const { nunjucks, environment } = templates();
    nunjucks.compile(template, environment).render({});
  } catch (error) {
    // Rendering with no arguments only fails on syntax (undefined values render empty).
    throw new GatewayError("validation_failed", `template is invalid: ${(error as Error).message}`, {
      issues: [{ loc: ["body", "prompt", "template"], msg: (error as Error).message, type: "template" }],
    });
  }
  return template;
}

/** Renders `template` with `args`; every argument value is plain text. */
export function renderTemplate(template: string, args: Readonly<Record<string, string>>): string {
  try {
    const { nunjucks, environment } = templates();
    return nunjucks.compile(template, environment).render({ ...args });
  } catch (error) {
    throw new GatewayError("validation_failed", `prompt rendering failed: ${(error as Error).message}`);
  }
}
