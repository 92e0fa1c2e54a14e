/** Statistics used by the gate and the reports: descriptive summaries and baseline-vs-candidate inference. */

export type { Summary } from "./descriptive.js";
export { mad, mean, median, percentile, robustCv, stddev, sum, summarize } from "./descriptive.js";
export type { Alternative, BootstrapOptions, BootstrapRatioCi, MannWhitneyResult } from "./inference.js";
export { bootstrapRatioCi, mannWhitneyU, normalCdf } from "./inference.js";
