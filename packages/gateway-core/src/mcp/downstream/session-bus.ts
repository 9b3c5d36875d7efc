import { BUS_TOPICS, type Bus } from "../../cache/bus.js";
import type { LegacySessions } from "./legacy-sessions.js";
import type { StreamableHttpOptions } from "./streamable-http.js";

type Json = Record<string, unknown>;

const recordOf = (payload: unknown): Json =>
  typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Json) : {};

/**
 * What the streamable HTTP endpoint tells the other replicas about its 2025 sessions, through
 * `announce` (a bus publish): ended sessions always; with several replicas (`cluster`), a client's
 * answers no copy here awaits and notifications for a GET stream held elsewhere.
 */
export function sessionAnnouncements(
  announce: (topic: string, payload: Json) => void,
  cluster: boolean,
): Pick<StreamableHttpOptions, "onSessionEnded" | "onSessionMessages" | "onStandaloneNotification"> {
  return {
    onSessionEnded: (id) => announce(BUS_TOPICS.session, { id }),
    ...(cluster
      ? {
          // A reply may reach another replica than the one whose call awaits it.
          onSessionMessages: (sessionId, messages) =>
            announce(BUS_TOPICS.sessionMessage, { sessionId, messages }),
          // A subscription's update must reach the replica holding the client's GET stream.
          onStandaloneNotification: (sessionId, message) =>
            announce(BUS_TOPICS.sessionStream, { sessionId, message }),
        }
      : {}),
  };
}

/** Applies what other replicas announced about 2025 sessions to this replica's copies. */
export function followSessionAnnouncements(bus: Bus, sessions: LegacySessions): void {
  // A session a client ended on another replica: close the copy here, and never resume it.
  bus.subscribe(BUS_TOPICS.session, (payload) => {
    const { id } = recordOf(payload);
    if (typeof id === "string") sessions.forget(id);
  });
  // A client's answer or cancellation that reached another replica: the copy awaiting it is here?
  bus.subscribe(BUS_TOPICS.sessionMessage, (payload) => {
    const { sessionId, messages } = recordOf(payload);
    if (typeof sessionId === "string" && Array.isArray(messages)) sessions.deliver(sessionId, messages);
  });
  // A notification for a GET stream this replica may hold.
  bus.subscribe(BUS_TOPICS.sessionStream, (payload) => {
    const { sessionId, message } = recordOf(payload);
    if (typeof sessionId === "string" && typeof message === "object" && message !== null)
      sessions.deliverStandalone(sessionId, message);
  });
}
