import type { IncomingMessage } from "node:http";
import type { ChildContext, ProtocolEra } from "../relay/child-channel.js";
import { headerOf } from "./http-responses.js";

/** One `--header-to-env HEADER=ENV` mapping. */
export interface HeaderToEnv {
  /** The request header, lower case. */
  readonly header: string;
  /** The child's environment variable. */
  readonly env: string;
}

/**
 * Reads the `--header-to-env` variables of a request: each mapped header that is present becomes
 * the child's variable; an absent header leaves it unset (this process's own value is never
 * inherited for a mapped name). Values are only ever passed to the child, never logged.
 */
export class HeaderEnv {
  readonly #mappings: readonly HeaderToEnv[];

  constructor(mappings: readonly HeaderToEnv[]) {
    this.#mappings = mappings;
  }

  /** The mapped header names, for CORS preflight answers. */
  get headers(): readonly string[] {
    return this.#mappings.map((mapping) => mapping.header);
  }

  /** The child context of a request in `era`. */
  contextOf(req: IncomingMessage, era: ProtocolEra = "legacy"): ChildContext {
    const env: Record<string, string> = {};
    for (const { header, env: name } of this.#mappings) {
      const value = headerOf(req, header);
      if (value !== undefined) env[name] = value;
    }
    return { env, era };
  }
}
