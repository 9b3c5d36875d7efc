/**
 * The resource URIs a 2026 `subscriptions/listen` request asks for, or `undefined` when the
 * request is something else. The SDK's listen router serves the stream but exposes no hook for
 * its filter, so the gateway reads it from the request's parsed body to know what to subscribe
 * upstream.
 */
export function listenedUris(request: Request, parsedBody: unknown): string[] | undefined {
  if (request.method !== "POST" || request.headers.get("mcp-method") !== "subscriptions/listen")
    return undefined;
  const body = (typeof parsedBody === "object" && parsedBody !== null ? parsedBody : {}) as {
    method?: unknown;
    params?: { notifications?: { resourceSubscriptions?: unknown } };
  };
  if (body.method !== "subscriptions/listen") return undefined;
  const uris = body.params?.notifications?.resourceSubscriptions;
  return Array.isArray(uris) ? uris.filter((uri): uri is string => typeof uri === "string") : [];
}

/**
 * `response` with `onEnd` called once when its body ends, fails or is cancelled (the client went
 * away), so what a listen stream holds is released with it.
 */
export function releasingWhenDone(response: Response, onEnd: () => void): Response {
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const source = response.body;
  if (source === null) {
    end();
    return response;
  }
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          end();
          controller.close();
        } else controller.enqueue(chunk.value);
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
