/** Statistics used by the gate and the reports: descriptive summaries and baseline-vs-candidate inference. */

export type { Summary } from "./descriptive.js";
export { mad, mean, median, percentile, robustCv, stddev, sum, summarize } from "./descriptive.js";
export type {
  Alternative,
  BootstrapOptions,
  BootstrapRatioCi,
  MannWhitneyResult,
  ResampleMethod,
} from "./inference.js";
export {
  bootstrapMedianSampler,
  bootstrapRatioCi,
  DIRECT_RESAMPLE_MAX_N,
  mannWhitneyU,
  normalCdf,
} from "./inference.js";
