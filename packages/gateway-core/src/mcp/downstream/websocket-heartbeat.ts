import type { WebSocket } from "ws";

/**
 * Pings `socket` every `intervalMs` and terminates it when the previous ping got no pong (nor any
 * frame) by the next one: a client that vanished without a close (laptop lid, dropped NAT entry)
 * would otherwise hold its session until TCP gives up, hours later. Returns the stop function;
 * the heartbeat also stops by itself when the socket closes. `intervalMs` 0 does nothing.
 */
export function startWebSocketHeartbeat(
  socket: WebSocket,
  intervalMs: number,
  onDead: () => void = () => {},
): () => void {
  if (intervalMs <= 0) return () => {};
  let heard = true;
  const hear = (): void => {
    heard = true;
  };
  const timer = setInterval(() => {
    if (!heard) {
      stop();
      onDead();
      socket.terminate();
      return;
    }
    heard = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    socket.off("pong", hear);
    socket.off("message", hear);
    socket.off("close", stop);
  };
  socket.on("pong", hear);
  socket.on("message", hear);
  socket.once("close", stop);
  return stop;
}
