import type { FetchLike } from "@modelcontextprotocol/client";
import { RemoteHttpError, WrapperError } from "../wrapper-error.js";

const MAX_ERROR_BODY = 64 * 1024;

/**
 * The `fetch` the SDK transports use. It turns two failures into the wrapper's own errors, so
 * the relay classifies them the same way for both transports: a POST answered with a 4xx/5xx
 * status becomes a {@link RemoteHttpError} carrying the status and body (the relay needs the 404
 * of a lost session and passes JSON-RPC error bodies through), and a network failure becomes
 * `remote_unreachable`. GET and DELETE answers are left to the SDK (a GET may answer 405).
 */
export function remoteFetch(): FetchLike {
  return async (url, init) => {
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      if (init?.signal?.aborted === true) throw error;
      throw new WrapperError("remote_unreachable", `cannot reach ${new URL(url).origin}`, { cause: error });
    }
    if (response.status >= 400 && (init?.method ?? "GET").toUpperCase() === "POST") {
      const body = await response.text().catch(() => "");
      throw new RemoteHttpError(response.status, body.slice(0, MAX_ERROR_BODY));
    }
    return response;
  };
}
