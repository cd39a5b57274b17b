import { median, p95 } from './stats.js';

/** One comparison as written to bench/results.json. `ratio` > 1 always means ours is better. */
export interface Metric {
  ours: number;
  baseline: number;
  ratio: number;
  unit: string;
  target: string;
  met: boolean;
}

/** A metric with its name, and a note for the printed table only (what the baseline is, caveats). */
export interface NamedMetric extends Metric {
  name: string;
  note: string;
}

export interface BenchContext {
  /** The private Xvfb display the bench started; `process.env.DISPLAY` is already set to it. */
  display: string;
}

/** A set of related benchmarks (one file in bench/), registered in bench/main.ts. */
export interface BenchGroup {
  name: string;
  run(context: BenchContext): Promise<NamedMetric[]>;
}

/**
 * Runs each contestant once per iteration, in turn, reversing the order every other iteration (ABBA),
 * so that machine noise and warm-up drift fall on all of them alike. Returns each one's samples.
 */
export async function alternate<T>(runs: number, contestants: readonly (() => Promise<T>)[]): Promise<T[][]> {
  const samples: T[][] = contestants.map(() => []);
  for (let i = 0; i < runs; i++) {
    const order = contestants.map((_, index) => index);
    if (i % 2 === 1) order.reverse();
    for (const index of order) samples[index]?.push(await (contestants[index] as () => Promise<T>)());
  }
  return samples;
}

export interface Comparison {
  name: string;
  ours: readonly number[];
  baseline: readonly number[];
  unit: string;
  /** Whether a smaller figure is better (ms, bytes) or a larger one (chars/s). */
  better: 'lower' | 'higher';
  target: string;
  /** Decides `met` from the medians and the ratio. */
  met: (ours: number, baseline: number, ratio: number) => boolean;
  note: string;
}

/** Medians of both sides, and the ratio oriented so that > 1 means ours is better. */
export function compare(comparison: Comparison): NamedMetric {
  const ours = median(comparison.ours);
  const baseline = median(comparison.baseline);
  const ratio = comparison.better === 'lower' ? baseline / ours : ours / baseline;
  const spread = `p95 ours ${round(p95(comparison.ours))}, baseline ${round(p95(comparison.baseline))}`;
  return {
    name: comparison.name,
    ours: round(ours),
    baseline: round(baseline),
    ratio: Math.round(ratio * 100) / 100,
    unit: comparison.unit,
    target: comparison.target,
    met: comparison.met(ours, baseline, ratio),
    note: `${comparison.note} (n=${comparison.ours.length}; ${spread})`,
  };
}

/** One decimal below 100, whole numbers above. */
export function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
