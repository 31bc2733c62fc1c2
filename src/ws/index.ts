/**
 * WebSocket: the client behind `WebSocketUser` (on the `ws` package). Reports each
 * connection and each `waitFor` as a `RequestEvent` through an injected callback; never
 * imports stats/ or http/ (cookies come through `WebSocketLink`).
 */
export {
  type ConnectOptions,
  WebSocketClient,
  type WebSocketClientOptions,
  type WebSocketLink,
} from "./client.js";
export { WebSocketConnection, type WebSocketData } from "./connection.js";
export { WebSocketError } from "./errors.js";
