// Lets TypeScript type `import defs from "./service.proto"` in a locustfile (Cicada's bundler
// turns the import into a ProtoSource). Copy this file into your own project to do the same.
declare module "*.proto" {
  const proto: import("cicada-load").ProtoSource;
  export default proto;
}
