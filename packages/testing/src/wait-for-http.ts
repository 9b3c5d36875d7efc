/** Polls `url` until it answers with `status` (200 by default) or the time runs out. */
export async function waitForHttp(
  url: string,
  { timeoutMs = 15_000, status = 200 }: { timeoutMs?: number; status?: number } = {},
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === status) return response;
      last = `status ${response.status}`;
      await response.body?.cancel();
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${String(last)})`);
}
