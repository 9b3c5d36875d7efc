export { binPath, installedVersion } from "./bin-path.js";
export { type EndpointKind, type GatewayUnderTest, startGatewayUnderTest } from "./gateway-under-test.js";
