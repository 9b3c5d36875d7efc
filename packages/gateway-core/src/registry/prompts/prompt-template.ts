import nunjucks from "nunjucks";
import { GatewayError } from "../../errors/gateway-error.js";

// Jinja-compatible, like ContextForge's templates. No autoescaping (the output is a chat
// message, not HTML) and no loaders: a template cannot include or import files.
const environment = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });

/** Throws a 422 when `template` does not compile; returns it unchanged otherwise. */
export function checkTemplate(template: string): string {
  try {
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
    return nunjucks.compile(template, environment).render({ ...args });
  } catch (error) {
    throw new GatewayError("validation_failed", `prompt rendering failed: ${(error as Error).message}`);
  }
}
