import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { runCli } from '../support/cli.js';
import { mixedText, SlowApp } from '../support/slow-app.js';

// The suite types a few hundred characters; SLOW_APP_CHARS=3000 SLOW_APP_RUNS=20 is the long proof.
const CHARS = Number(process.env.SLOW_APP_CHARS ?? 200);
const RUNS = Number(process.env.SLOW_APP_RUNS ?? 1);
// Lets loops in parallel processes type different texts.
const FIRST_RUN = Number(process.env.SLOW_APP_FIRST_RUN ?? 0);
let display: VirtualDisplay;

beforeAll(async () => {
  display = await startXvfb({ width: 800, height: 600 });
});

afterAll(async () => {
  await display?.stop();
});

describe('exact typing into an application that handles keys slowly', () => {
  for (const sleepMs of [2, 20]) {
    for (let run = FIRST_RUN; run < FIRST_RUN + RUNS; run++) {
      it(
        `loses nothing of ${CHARS} mixed characters when every key press takes ${sleepMs} ms (run ${run + 1})`,
        async () => {
          const app = await SlowApp.start(display.name, sleepMs);
          try {
            const text = mixedText(CHARS, run * 7919 + sleepMs);
            // One deskhand act, as a user or a script would run it; it exits once the keymap is back.
            const result = await runCli([
              'act',
              '--display',
              display.name,
              JSON.stringify({ type: 'move', x: 300, y: 200 }),
              JSON.stringify({ type: 'type', text }),
            ]);
            expect(result.stderr).toBe('');
            expect(result.code).toBe(0);
            // Nothing more can arrive: act waited for the app to answer a ping before restoring.
            const typed = await app.text();
            const { lost, extra } = countDifference(text, typed);
            console.log(`slow app ${sleepMs} ms/key, ${CHARS} chars: ${lost} lost, ${extra} wrong`);
            if (typed !== text) console.log(describeFirstDifference(text, typed, await app.keys()));
            expect(typed).toBe(text);
          } finally {
            await app.stop();
          }
        },
        // Generous: on a loaded machine the starved app sets the pace, and a test that times out
        // leaves its act typing into the next test's app.
        120_000 + CHARS * sleepMs * 10,
      );
    }
  }
});

/** Where the typed text first goes wrong, with the key events the application got around it. */
function describeFirstDifference(
  expected: string,
  actual: string,
  keys: [string, number, number, number][],
): string {
  const want = Array.from(expected);
  const got = Array.from(actual);
  let at = 0;
  while (at < want.length && want[at] === got[at]) at++;
  // Shift presses (keyval 0xffe1) type nothing.
  const presses = keys.flatMap((k, i) => (k[0] === 'press' && k[2] !== 0xffe1 ? [i] : []));
  const from = Math.max(0, (presses[at] ?? keys.length) - 8);
  return [
    `first difference at character ${at}: expected ${JSON.stringify(want.slice(at - 3, at + 4).join(''))}, got ${JSON.stringify(got.slice(at - 3, at + 4).join(''))}`,
    ...keys.slice(from, from + 24).map((k) => `  ${k.join(' ')}`),
  ].join('\n');
}

/** Characters of `expected` missing from `actual`, and characters in `actual` not asked for. */
function countDifference(expected: string, actual: string): { lost: number; extra: number } {
  const counts = new Map<string, number>();
  for (const c of expected) counts.set(c, (counts.get(c) ?? 0) + 1);
  for (const c of actual) counts.set(c, (counts.get(c) ?? 0) - 1);
  let lost = 0;
  let extra = 0;
  for (const n of counts.values()) {
    if (n > 0) lost += n;
    else extra -= n;
  }
  return { lost, extra };
}
