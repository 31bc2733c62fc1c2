// The server's payload types, imported type-only from the core (nothing of it is bundled).
export type * from "../../src/web/api-types.js";
