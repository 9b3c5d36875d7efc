export type { GrpcTlsOptions, GrpcTranslateOptions } from "./grpc-options.js";
export { type GrpcTranslateHandle, startGrpcTranslate } from "./start-grpc-translate.js";
export { assignToolNames, type MethodName, sanitizeToolName } from "./tool-names.js";
