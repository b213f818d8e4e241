import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { archs, classifierArchs, defaultNetwork, encoders } from "../../../lib/ml/networks";
import { networkSchema, protocolSettingsSchema } from "../../../lib/projects/schema";
import { SelectionMode } from "../../../lib/projects/enums";

const published = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../../workers/trainer/networks.json"), "utf8"),
);

describe("the trainer's networks, read from its published list", () => {
  it("are exactly the lists in workers/trainer/networks.json", () => {
    expect(archs).toEqual(published.architectures);
    expect(encoders).toEqual(published.encoders);
    expect(classifierArchs).toEqual(published.classifiers);
    expect(classifierArchs).toEqual(expect.arrayContaining(["resnet18", "resnet50", "squeezenet1_1", "densenet121"]));
    expect(archs).toContain(defaultNetwork.arch);
    expect(encoders).toContain(defaultNetwork.encoder);
  });

  it("a project refuses an architecture or encoder the trainer does not build, naming the field", () => {
    expect(networkSchema.safeParse({ arch: "unetpp", encoder: "tiny" }).success).toBe(true);
    const bad = networkSchema.safeParse({ arch: "segnet", encoder: "tiny" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(["arch"]);
    expect(networkSchema.safeParse({ arch: "unet", encoder: "vgg16" }).success).toBe(false);
  });

  it("vote modes come from the database's enum; an unknown one is refused, a missing one takes the default", () => {
    expect(Object.values(SelectionMode).sort()).toEqual(["NWAY", "PAIRWISE"]);
    expect(protocolSettingsSchema.safeParse({ selectionMode: "RANKED" }).success).toBe(false);
    expect(protocolSettingsSchema.parse({}).selectionMode).toBe("NWAY");
    expect(protocolSettingsSchema.parse({ selectionMode: "PAIRWISE" }).selectionMode).toBe("PAIRWISE");
  });
});
