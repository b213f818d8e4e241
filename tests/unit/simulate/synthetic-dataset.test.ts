import { describe, expect, it } from "vitest";
import { fractionInside, isEmptyMask } from "../../../lib/simulate/mask-ops";
import { generateDataset, renderDatasetItem, SYNTHETIC_SOURCES } from "../../../lib/simulate/synthetic-dataset";

describe("synthetic dataset", () => {
  it("has the requested size, label split and unique ids, reproducibly", () => {
    const items = generateDataset({ seed: 4, count: 200, covidFraction: 0.25, patients: 120 });
    expect(items).toHaveLength(200);
    expect(items.filter((i) => i.label === "covid")).toHaveLength(50);
    expect(new Set(items.map((i) => i.id)).size).toBe(200);
    expect(new Set(items.map((i) => i.seed)).size).toBe(200);
    expect(generateDataset({ seed: 4, count: 200, covidFraction: 0.25, patients: 120 })).toEqual(items);
    expect(generateDataset({ seed: 5, count: 200, covidFraction: 0.25, patients: 120 })).not.toEqual(items);
  });

  it("groups images into patients with one label and one source each, some with several images", () => {
    const items = generateDataset({ seed: 8, count: 300, covidFraction: 0.4, patients: 180 });
    const byPatient = new Map<string, typeof items>();
    for (const item of items) byPatient.set(item.patientId, [...(byPatient.get(item.patientId) ?? []), item]);
    expect(byPatient.size).toBe(180);
    for (const group of byPatient.values()) {
      expect(new Set(group.map((i) => i.label)).size).toBe(1);
      expect(new Set(group.map((i) => i.source)).size).toBe(1);
    }
    expect([...byPatient.values()].some((g) => g.length >= 3)).toBe(true);
    expect([...byPatient.values()].filter((g) => g.length === 1).length).toBeGreaterThan(50);
  });

  it("draws from every source, roughly by weight", () => {
    const items = generateDataset({ seed: 2, count: 2000, covidFraction: 0.3, patients: 1500 });
    for (const s of SYNTHETIC_SOURCES) {
      const share = items.filter((i) => i.source === s.name).length / items.length;
      expect(share).toBeGreaterThan(s.weight * 0.7);
      expect(share).toBeLessThan(s.weight * 1.3);
    }
  });

  it("handles edge cases: no images, one label only, fewer patients than labels", () => {
    expect(generateDataset({ seed: 1, count: 0 })).toEqual([]);
    expect(generateDataset({ seed: 1, count: 10, covidFraction: 1 }).every((i) => i.label === "covid")).toBe(true);
    expect(generateDataset({ seed: 1, count: 10, covidFraction: 0 }).every((i) => i.label === "control")).toBe(true);
    const tiny = generateDataset({ seed: 1, count: 4, covidFraction: 0.5, patients: 1 });
    expect(new Set(tiny.map((i) => i.label)).size).toBe(2);
    expect(new Set(tiny.map((i) => i.patientId)).size).toBe(2);
    expect(() => generateDataset({ seed: 1, count: -1 })).toThrow();
    expect(() => generateDataset({ seed: 1, count: 5, covidFraction: 2 })).toThrow();
  });

  it("renders items at the requested size with masks matching the label", () => {
    const items = generateDataset({ seed: 3, count: 6, covidFraction: 0.5, width: 256, height: 240 });
    for (const item of items) {
      const img = renderDatasetItem(item);
      expect([img.width, img.height]).toEqual([256, 240]);
      expect(isEmptyMask(img.mask)).toBe(item.label === "control");
      expect(fractionInside(img.mask, img.lungMask)).toBe(1);
      expect(img.meta.patientId).toBe(item.patientId);
    }
  });
});
