/** A trainer's detection report (metrics.json `detection`) with one calibrated rule at target sensitivity 0.95. */
export const detectionReport = (
  source: string,
  threshold: number,
  minArea: number,
  sensitivity: number,
  specificity: number,
) => ({
  source,
  calibrated: {
    threshold,
    min_area: minArea,
    target_sensitivity: 0.95,
    sensitivity: { value: sensitivity },
    specificity: { value: specificity },
  },
});
