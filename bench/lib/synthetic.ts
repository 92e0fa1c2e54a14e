/**
 * The synthetic-series helpers the bench scripts use (the change-point detector's rates, Gaussian noise),
 * imported here only, so that a move of the test rigs they live beside is answered in this file alone.
 */

export { type DetectorRates, detectorRates, gaussian } from "../../test/support/change-points-check.js";
