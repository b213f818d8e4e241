import { describe, expect, it } from "vitest";
import { detect, detectCalibrated } from "../../../lib/ml/detection";
import { detectionRuleFromMetrics, type DetectionRule } from "../../../lib/ml/model-card";

const presenceRule: DetectionRule = {
  kind: "presence",
  threshold: 0.62,
  minArea: 0,
  targetSensitivity: 0.95,
  source: "out-of-fold",
  sensitivity: 0.95,
  specificity: 0.7,
};

// A 10×10 map with one 3×3 region at 0.9: any pixel rule says positive.
const map = new Float32Array(100);
for (const i of [11, 12, 13, 21, 22, 23, 31, 32, 33]) map[i] = 0.9;

describe("the calibrated presence rule", () => {
  it("decides on the presence probability alone, not on the map", () => {
    expect(detectCalibrated(map, presenceRule, 0.61)).toMatchObject({
      kind: "presence",
      positive: false,
      presence: 0.61,
    });
    expect(detectCalibrated(map, presenceRule, 0.62)!.positive).toBe(true);
    expect(detectCalibrated(new Float32Array(100), presenceRule, 0.9)!.positive).toBe(true);
    const d = detect(map, 0.5, presenceRule, 0.3);
    expect([d.positive, d.presence, d.calibrated!.positive]).toEqual([true, 0.3, false]);
  });

  it("gives no call without a presence probability (a map stored before the head existed)", () => {
    expect(detectCalibrated(map, presenceRule, null)).toBeNull();
    expect(detect(map, 0.5, presenceRule).calibrated).toBeNull();
  });

  it("keeps the component rule for models without the head", () => {
    const component: DetectionRule = { ...presenceRule, kind: "component", threshold: 0.5, minArea: 0.1 };
    expect(detectCalibrated(map, component)).toMatchObject({ positive: false, largestComponent: 0.09 });
    expect(detectCalibrated(map, { ...component, minArea: 0.09 })!.positive).toBe(true);
  });

  it("reads the rule's kind from metrics.json; rules written before it are component rules", () => {
    const calibrated = {
      threshold: 0.62,
      min_area: 0,
      target_sensitivity: 0.95,
      sensitivity: { value: 0.95 },
      specificity: { value: 0.7 },
    };
    const oof = { source: "out-of-fold", calibrated: { ...calibrated, kind: "presence" } };
    expect(detectionRuleFromMetrics({ detection_oof: oof })).toEqual(presenceRule);
    expect(detectionRuleFromMetrics({ detection: { source: "monitor", calibrated } })!.kind).toBe("component");
    expect(detectionRuleFromMetrics({ detection: { source: "x", calibrated: { ...calibrated, kind: "vote" } } })).toBe(
      null,
    );
  });
});
