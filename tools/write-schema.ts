/** Writes schema/result.schema.json from the zod result schema (the one source of truth). */
import { resultJsonSchema } from "../src/results/schema.js";
import { atomicWriteText } from "../src/util/atomic-file.js";

atomicWriteText("schema/result.schema.json", `${JSON.stringify(resultJsonSchema(), null, 2)}\n`);
process.stderr.write("wrote schema/result.schema.json\n");
