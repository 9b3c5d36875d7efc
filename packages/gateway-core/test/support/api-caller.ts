import type { Gateway } from "../../src/index.js";

/** An answer of the API: its status and its parsed JSON body (undefined when empty). */
export interface Answer<T> {
  status: number;
  body: T;
}

/**
 * Calls the gateway's app with a bearer `token`. `ip` gives the request a client address (the node
 * server's getConnInfo reads the socket from the env binding).
 */
export async function callWith<T = Record<string, unknown>>(
  gateway: Gateway,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  ip?: string,
): Promise<Answer<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const env =
    ip === undefined ? undefined : { incoming: { socket: { remoteAddress: ip, remotePort: 40000 } } };
  const response = await gateway.app.request(
    path,
    {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    },
    env,
  );
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/**
 * `as(email, method, path, body)`: calls the API as `email`, with a token minted for it once (it
 * resolves to the stored user, its teams and grants). `gateway` is read at call time.
 */
export function callerAs(gateway: () => Gateway) {
  const tokens = new Map<string, string>();
  return async <T = Record<string, unknown>>(
    email: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Answer<T>> => {
    let token = tokens.get(email);
    if (!token) {
      token = await gateway().mintToken(email, 60);
      tokens.set(email, token);
    }
    return callWith<T>(gateway(), token, method, path, body);
  };
}
