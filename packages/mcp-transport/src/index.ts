export {
  type DecodedLine,
  encodeJsonRpcLine,
  JsonRpcLineDecoder,
  type JsonRpcLineDecoderOptions,
} from "./json-rpc-line-decoder.js";
export { type ChildExit, StdioChild, type StdioChildOptions } from "./stdio-child.js";
