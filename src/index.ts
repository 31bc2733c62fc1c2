/**
 * The scripting API of Cicada: what a locustfile imports from "cicada".
 */
export { EventHook } from "./shared/event-hook.js";
export type { RequestEvent } from "./shared/request-event.js";
