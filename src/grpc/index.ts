/**
 * gRPC: the client behind `GrpcUser` (@grpc/grpc-js, loaded on first use) and the .proto
 * sources a locustfile imports. Reports each call as a `RequestEvent` through an injected
 * callback; never imports stats/.
 */
export {
  type GrpcCallOptions,
  GrpcClient,
  type GrpcClientOptions,
  type GrpcResult,
  type GrpcStreamOptions,
} from "./client.js";
export {
  collectProtoFiles,
  isProtoSource,
  loadProtoDefinition,
  ProtoError,
  type ProtoSource,
} from "./proto.js";
