import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import { WATCHED_RESOURCE_URI } from "../everything-state.js";
import { PNG_PIXEL_BASE64 } from "../fixtures.js";
import type { RegistrationContext } from "../registration-context.js";

const TEMPLATE_IDS = ["1", "2", "3", "123"];

/** Sends `notifications/resources/updated` for a URI when this session subscribed to it. */
export type ResourceUpdateNotifier = (uri: string) => void;

/**
 * Registers the `test://` resources, the resource template and (on the 2025 wire, where
 * subscriptions are per session) `resources/subscribe` and `resources/unsubscribe`.
 */
export function registerTestResources(
  server: McpServer,
  { era, state }: RegistrationContext,
): ResourceUpdateNotifier {
  server.registerResource(
    "static-text",
    "test://static-text",
    { title: "Static text", description: "A static text resource", mimeType: "text/plain" },
    (uri) => ({
      contents: [
        { uri: uri.href, mimeType: "text/plain", text: "This is the content of the static text resource." },
      ],
    }),
  );

  server.registerResource(
    "static-binary",
    "test://static-binary",
    { title: "Static binary", description: "A static binary resource (a PNG image)", mimeType: "image/png" },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: "image/png", blob: PNG_PIXEL_BASE64 }] }),
  );

  server.registerResource(
    "watched-resource",
    WATCHED_RESOURCE_URI,
    {
      title: "Watched resource",
      description: "Changes when the update_watched_resource tool is called; subscribe to hear about it",
      mimeType: "text/plain",
    },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: "text/plain",
          text: `Watched resource content, revision ${state.watchedRevision}`,
        },
      ],
    }),
  );

  server.registerResource(
    "template",
    new ResourceTemplate("test://template/{id}/data", {
      list: undefined,
      complete: { id: (value) => TEMPLATE_IDS.filter((id) => id.startsWith(value)) },
    }),
    {
      title: "Template",
      description: "A resource template; {id} is echoed back",
      mimeType: "application/json",
    },
    (uri, variables) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: "application/json",
          text: JSON.stringify({
            id: variables.id,
            templateTest: true,
            data: `Data for ID: ${variables.id}`,
          }),
        },
      ],
    }),
  );

  const subscriptions = new Set<string>();
  if (era === "legacy") {
    server.server.setRequestHandler("resources/subscribe", (request) => {
      subscriptions.add(request.params.uri);
      return {};
    });
    server.server.setRequestHandler("resources/unsubscribe", (request) => {
      subscriptions.delete(request.params.uri);
      return {};
    });
  }

  return (uri) => {
    if (!subscriptions.has(uri)) return;
    server.server.sendResourceUpdated({ uri }).catch(() => {
      // The session may be closing; an undelivered update needs no handling.
    });
  };
}
