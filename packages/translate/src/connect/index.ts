export type { ConnectOptions } from "./connect-options.js";
export type { RemoteTransport } from "./remote-link.js";
export { type ConnectEnd, type ConnectHandle, startConnect } from "./start-connect.js";
