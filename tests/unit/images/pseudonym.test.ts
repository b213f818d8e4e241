import { describe, expect, it } from "vitest";
import { remapUid } from "@/lib/images/dicom/uid-remap";
import { patientPseudonym } from "@/lib/images/pseudonym";

const KEY = "unit-test-pseudonym-key-0123456789";

describe("patient pseudonym", () => {
  it("is stable, keyed and shaped P- + 16 base32 characters", () => {
    const p = patientPseudonym(KEY, "MRN-12345");
    expect(p).toMatch(/^P-[A-Z2-7]{16}$/);
    expect(patientPseudonym(KEY, "MRN-12345")).toBe(p);
    expect(patientPseudonym(KEY, "MRN-12346")).not.toBe(p);
    expect(patientPseudonym(`${KEY}x`, "MRN-12345")).not.toBe(p);
  });

  it("ignores DICOM padding and has no pseudonym for an empty id", () => {
    expect(patientPseudonym(KEY, " MRN-12345 ")).toBe(patientPseudonym(KEY, "MRN-12345"));
    expect(patientPseudonym(KEY, "   ")).toBeUndefined();
  });

  it("is not the UID mapping of the same string (separate purposes)", () => {
    expect(remapUid(KEY, "MRN-12345")).not.toContain(String(patientPseudonym(KEY, "MRN-12345")).slice(2));
  });
});

describe("UID remapping", () => {
  it("produces a valid 2.25 UID of at most 64 characters, consistently", () => {
    const uid = remapUid(KEY, "1.2.840.113619.2.55.3.604688119.969.1268071029.320");
    expect(uid).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
    expect(uid.length).toBeLessThanOrEqual(64);
    expect(remapUid(KEY, "1.2.840.113619.2.55.3.604688119.969.1268071029.320\u0000")).toBe(uid);
    expect(remapUid(KEY, "1.2.3")).not.toBe(uid);
    expect(remapUid(`${KEY}x`, "1.2.840.113619.2.55.3.604688119.969.1268071029.320")).not.toBe(uid);
    expect(remapUid(KEY, "")).toBe("");
  });
});
