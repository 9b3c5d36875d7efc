export { getFreePort } from "./free-port.js";
export {
  type ManagedProcess,
  type StartProcessOptions,
  startProcess,
  stopAllProcesses,
} from "./managed-process.js";
export { waitForHttp } from "./wait-for-http.js";
