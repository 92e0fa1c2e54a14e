// Preloaded with `node --import` (or NODE_OPTIONS) by the tests that prove a command never loads the native
// addon: any import of node-llama-cpp (or its platform packages) or koffi fails with a recognisable error.
import { register } from "node:module";

register("./forbid-llama-hooks.mjs", import.meta.url);
