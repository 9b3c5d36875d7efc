export { createEverythingServer, type EverythingServerOptions, SERVER_NAME } from "./everything-server.js";
export {
  EverythingState,
  type FlowState,
  type StateChange,
  WATCHED_RESOURCE_URI,
} from "./everything-state.js";
export { type HttpServerOptions, type RunningHttpServer, startHttpServer } from "./http/start-http-server.js";
export { DEFAULT_PAGE_SIZE, installPagination } from "./pagination.js";
export type { Era } from "./registration-context.js";
export { type StdioOptions, serveEverythingStdio } from "./serve-everything-stdio.js";
