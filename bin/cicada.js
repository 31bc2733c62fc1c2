#!/usr/bin/env node
// Cicada runs in a child Node with a larger young generation unless it already has one
// (src/cli/launcher.ts explains why); this process then only stands in for it.
import { relaunchIfNeeded } from "../dist/cli/launcher.js";

if (!relaunchIfNeeded(import.meta.filename)) {
  const { main } = await import("../dist/cli/main.js");
  main();
}
