// Throughput of the synthetic CXR generator (raw pixels + masks, no PNG encoding) on one thread,
// and of the simulated MD drawing model.
import { simulateDrawing } from "../lib/simulate/simulated-md";
import { generateCxr } from "../lib/simulate/synthetic-cxr";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function imagesPerSecond(size: number, perRound: number, rounds: number): number {
  for (let k = 0; k < perRound; k++) generateCxr({ seed: 1_000_000 + k, width: size, height: size });
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let k = 0; k < perRound; k++) {
      generateCxr({ seed: r * perRound + k, width: size, height: size, label: k % 2 ? "covid" : "control" });
    }
    rates.push(perRound / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

function drawingsPerSecond(size: number, count: number): number {
  const images = Array.from({ length: count }, (_, k) => generateCxr({ seed: 5000 + k, width: size, height: size }));
  const t0 = performance.now();
  for (const [k, img] of images.entries()) {
    simulateDrawing(
      img.mask,
      img.width,
      img.height,
      { seed: k, bias: 0.1, jitter: 0.6, missRate: 0.2 },
      { pixels: img.pixels },
    );
  }
  return count / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<BenchResult[]> {
  const note = "single thread, half covid / half control, median of 5 rounds";
  return [
    { name: "generateCxr 512×512", value: imagesPerSecond(512, 100, 5), unit: "images/s", note },
    { name: "generateCxr 1024×1024", value: imagesPerSecond(1024, 30, 5), unit: "images/s", note },
    {
      name: "simulateDrawing 512×512",
      value: drawingsPerSecond(512, 60),
      unit: "drawings/s",
      note: "covid masks, with conspicuity from pixels",
    },
  ];
}
