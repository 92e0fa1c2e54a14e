// Module resolution hook: refuses node-llama-cpp and @node-llama-cpp/* (see forbid-llama.mjs).
export async function resolve(specifier, context, nextResolve) {
  if (/^(node-llama-cpp|@node-llama-cpp\/)/.test(specifier)) {
    throw new Error(`FORBIDDEN_IMPORT ${specifier}`);
  }
  return nextResolve(specifier, context);
}
