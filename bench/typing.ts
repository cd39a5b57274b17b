/**
 * Typing 500 mixed characters (ASCII punctuation, accented Latin, CJK, newlines) into a real Tk app.
 * Ours is the XTEST driver of the `x11` package (X11Input.typeText); the baselines are nut-js
 * keyboard.type, with its default delay and with none, and `xdotool type`. The clock stops when the app
 * reports its text, i.e. once it has handled every key.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { X11Input } from '../native-adapters/x11/x11-input.js';
import { alternate, type BenchGroup, compare, type NamedMetric } from './metric.js';
import { TkTextApp } from './tk-text-app.js';

const RUNS = 7;
const SENTENCE = 'Hi! #$%_: café naïve 日本語 ✓ {x:[1,2]} <a|b> ~`^\n';
const TEXT = Array.from(SENTENCE.repeat(20)).slice(0, 500).join('');
/** nut-js's default 300 ms per key would take 150 s for the whole text: time a prefix and extrapolate. */
const SAMPLE = Array.from(TEXT).slice(0, 10).join('');

interface Typed {
  charsPerS: number;
  correctPct: number;
  exact: boolean;
}

/** Levenshtein distance over code points. */
function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitute = (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min(substitute, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[y.length] as number;
}

function hasXdotool(): boolean {
  try {
    execFileSync('which', ['xdotool'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const typingGroup: BenchGroup = {
  name: 'typing',
  async run({ display }) {
    const app = await TkTextApp.start(display);
    try {
      // Loaded here, not at import: nut-js binds to $DISPLAY, which main.ts sets first.
      const { keyboard } = await import('@nut-tree-fork/nut-js');
      const nutDefaultDelay = keyboard.config.autoDelayMs;

      /** Clears the app, then times `type` until the app has everything; `prepare` runs off the clock. */
      const measure = async <T>(
        text: string,
        prepare: () => Promise<T>,
        type: (prepared: T) => Promise<unknown>,
        done: (prepared: T) => Promise<void> = async () => undefined,
      ): Promise<Typed> => {
        const prepared = await prepare();
        await app.clear();
        const started = performance.now();
        await type(prepared);
        const typed = await app.text();
        const seconds = (performance.now() - started) / 1000;
        await done(prepared);
        const length = Array.from(text).length;
        const correctPct = Math.max(0, 100 * (1 - editDistance(typed, text) / length));
        return { charsPerS: length / seconds, correctPct, exact: typed === text };
      };

      // A fresh connection per run (opening it is off the clock): close() restores the keymap, so the
      // baselines never find our lent keycodes.
      const ours = (text: string) => () =>
        measure(
          text,
          () => X11Input.open(display),
          (input) => input.typeText(text),
          (input) => input.close(),
        );
      const nut = (text: string, delayMs: number) => () =>
        measure(
          text,
          async () => (keyboard.config.autoDelayMs = delayMs),
          () => keyboard.type(text),
        );
      const xdotool = (text: string) => () =>
        measure(
          text,
          async () => undefined,
          () => promisify(execFile)('xdotool', ['type', text], { env: { ...process.env, DISPLAY: display } }),
        );

      // Focus the text widget with a click, then warm every path up.
      const pointer = await X11Input.open(display);
      await pointer.moveTo(400, 300);
      await pointer.buttonDown('left');
      await pointer.buttonUp('left');
      await pointer.close();
      await ours('warm up')();
      await nut('warm up', 0)();

      const withXdotool = hasXdotool();
      const contestants = [ours(TEXT), nut(SAMPLE, nutDefaultDelay), nut(TEXT, 0)];
      if (withXdotool) contestants.push(xdotool(TEXT));
      const [oursRuns, nutDefaultRuns, nutFastRuns, xdotoolRuns] = await alternate(RUNS, contestants);
      keyboard.config.autoDelayMs = nutDefaultDelay;

      const speed = (runs: Typed[] | undefined) => (runs ?? []).map((run) => run.charsPerS);
      const correct = (runs: Typed[] | undefined) => (runs ?? []).map((run) => run.correctPct);
      const exactRuns = (runs: Typed[] | undefined) =>
        `${(runs ?? []).filter((run) => run.exact).length}/${runs?.length ?? 0}`;
      const oursExact = (oursRuns ?? []).every((run) => run.exact);
      const exactness = `ours exact ${exactRuns(oursRuns)}`;
      const unit = 'chars/s';

      const metrics: NamedMetric[] = [
        compare({
          name: 'typing_chars_per_s',
          ours: speed(oursRuns),
          baseline: speed(nutDefaultRuns),
          unit: `chars/s (baseline from a ${Array.from(SAMPLE).length}-char sample)`,
          better: 'higher',
          target: '>= 1000 chars/s, exact, >= 100x',
          met: (o, _b, ratio) => o >= 1000 && oursExact && ratio >= 100,
          note: `baseline: nut-js keyboard.type, default ${nutDefaultDelay} ms/key, timed on a ${Array.from(SAMPLE).length}-char prefix and extrapolated; ${exactness}`,
        }),
        compare({
          name: 'typing_vs_nut_nodelay_chars_per_s',
          ours: speed(oursRuns),
          baseline: speed(nutFastRuns),
          unit,
          better: 'higher',
          target: '>= 1000 chars/s and exact',
          met: (o) => o >= 1000 && oursExact,
          note: `baseline: nut-js keyboard.type, autoDelayMs 0; baseline exact ${exactRuns(nutFastRuns)}`,
        }),
        compare({
          name: 'typing_correct_pct',
          ours: correct(oursRuns),
          baseline: correct(nutFastRuns),
          unit: '% chars right',
          better: 'higher',
          target: '100 (exact) in every run',
          met: () => oursExact,
          note: 'baseline: nut-js autoDelayMs 0; 100 - edit distance per 100 chars',
        }),
      ];
      if (withXdotool) {
        metrics.push(
          compare({
            name: 'typing_vs_xdotool_chars_per_s',
            ours: speed(oursRuns),
            baseline: speed(xdotoolRuns),
            unit,
            better: 'higher',
            target: '>= 1000 chars/s and exact',
            met: (o) => o >= 1000 && oursExact,
            note: `baseline: xdotool type (default 12 ms/key); baseline exact ${exactRuns(xdotoolRuns)}`,
          }),
          compare({
            name: 'typing_correct_vs_xdotool_pct',
            ours: correct(oursRuns),
            baseline: correct(xdotoolRuns),
            unit: '% chars right',
            better: 'higher',
            target: '100 (exact) in every run',
            met: () => oursExact,
            note: 'baseline: xdotool type; 100 - edit distance per 100 chars',
          }),
        );
      }
      return metrics;
    } finally {
      app.stop();
    }
  },
};
