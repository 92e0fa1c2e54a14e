// Module resolution hook: refuses the native engines' modules, node-llama-cpp, @node-llama-cpp/* and koffi
// (the llama-cpp engine's FFI) (see forbid-llama.mjs).
export async function resolve(specifier, context, nextResolve) {
  if (/^(node-llama-cpp|@node-llama-cpp\/|koffi$)/.test(specifier)) {
    throw new Error(`FORBIDDEN_IMPORT ${specifier}`);
  }
  return nextResolve(specifier, context);
}
