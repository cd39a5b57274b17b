import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { NOTES_LAYOUT, NotesApp } from '../../src/demo/notes-app.js';
import { writeReport } from '../../src/report/index.js';
import { readRunRecord, RunRecord } from '../../src/trajectory/index.js';
import { collect, runCli, startCli } from '../support/cli.js';
import { modelServers } from '../support/model-servers.js';

/**
 * The report in a real browser: a real run (the built CLI, the local model server, the demo notes app
 * on a private Xvfb), `deskhand report`, then Debian's Chromium through playwright-core with the
 * network cut, reading back from the rendered page what the record says.
 * DESKHAND_UPDATE_DOCS=1 also saves the page's screenshot as docs/report.png (the README's picture).
 */
const CHROMIUM = '/usr/bin/chromium';
const DOCS_SHOT = fileURLToPath(new URL('../../docs/report.png', import.meta.url));

let display: VirtualDisplay;
let app: NotesApp;
let browser: Browser;

beforeAll(async () => {
  display = await startXvfb({ width: 1280, height: 800 });
  app = await NotesApp.start(display.name);
  browser = await chromium.launch({ executablePath: CHROMIUM });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await display?.stop();
});

const serve = modelServers();
const at = (widget: keyof typeof NOTES_LAYOUT) => ({
  x: NOTES_LAYOUT[widget][0],
  y: NOTES_LAYOUT[widget][1],
});

/**
 * Opens a report with every non-file request aborted and recorded. loadMs is the browser's own
 * Navigation Timing (navigation start to the end of the load event); wallMs adds Playwright's round trips.
 */
async function openOffline(url: string) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const attempted: string[] = [];
  await context.route('**/*', (route) => {
    const requested = route.request().url();
    if (requested.startsWith('file:')) return route.continue();
    attempted.push(requested);
    return route.abort();
  });
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(url, { waitUntil: 'load' });
  // Page code as strings: the tests' TypeScript has no DOM types. Polled with evaluate, not
  // waitForFunction: once its first check fails, waitForFunction evaluates a string predicate with
  // eval, which the report's Content-Security-Policy (no 'unsafe-eval') refuses.
  const deadline = Date.now() + 10_000;
  while (
    !(await page.evaluate<boolean>(
      "[...document.querySelectorAll('.step:not([hidden]) img')].every((img) => img.complete)",
    ))
  ) {
    if (Date.now() > deadline) throw new Error('the visible step images did not load within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const wallMs = performance.now() - started;
  const loadMs = await page.evaluate<number>("performance.getEntriesByType('navigation')[0].loadEventEnd");
  return { page, context, attempted, loadMs, wallMs };
}

describe('the run report in a browser', () => {
  it('shows the recorded run: step count, the click where it landed, ←/→, secrets as placeholders, no network', async () => {
    const server = await serve({
      script: [
        { reasoning: 'The title field is at the top left.', actions: [{ type: 'click', ...at('title') }] },
        { actions: [{ type: 'type', text: '{{PASSWORD}}' }] },
        {
          actions: [
            { type: 'double_click', ...at('notes') },
            { type: 'drag', path: [at('notes'), at('items')] },
          ],
        },
        { actions: [{ type: 'scroll', ...at('items'), scroll_y: 300 }] },
        { functionCalls: [{ name: 'done', arguments: { message: 'Logged in' } }] },
      ],
    });
    const root = mkdtempSync(join(tmpdir(), 'report-browser-'));
    const run = await runCli(
      [
        'run',
        'Log in with {{PASSWORD}}',
        '--display',
        display.name,
        '--base-url',
        server.url,
        '--record',
        root,
        '--secret',
        'PASSWORD',
        // A viewport smaller than the screen, so a screen point must be scaled to land on the image.
        '--max-edge',
        '1024',
      ],
      { PASSWORD: 'hunter2secret' },
    );
    expect(run.stderr).not.toContain('hunter2secret');
    expect(run.code).toBe(0);
    const dir = join(root, readdirSync(root)[0]!);

    const report = await runCli(['report', dir, '--gif']);
    expect(report.code).toBe(0);
    const [url, gif] = report.stdout.trim().split('\n');
    expect(url).toBe(`file://${dir}/report.html`);
    // The shareable picture: one frame per step, 800 px wide, the click's marker drawn in.
    expect(gif).toBe(join(dir, 'run.gif'));
    const animation = await sharp(gif!, { animated: true }).metadata();
    expect(animation.format).toBe('gif');
    expect(animation.width).toBe(800);
    expect(animation.pages).toBe(5);

    const { run: runJson, steps } = await readRunRecord(dir);
    const profile = runJson.profile as {
      display: { width: number; height: number };
      viewport: { width: number; height: number };
    };
    expect(profile.viewport).toEqual({ width: 1024, height: 640 });
    const stepLines = steps.filter((line) => line.type === 'action.started' || line.type === 'rejected');

    const { page, context, attempted, loadMs, wallMs } = await openOffline(url!);
    try {
      expect(await page.locator('section.step').count()).toBe(stepLines.length);
      expect(await page.locator('#position').textContent()).toBe(`Step 1 of ${stepLines.length}`);

      // The click marker sits on the screenshot pixel the record's screen point maps to.
      const click = stepLines[0] as { action: { type: string }; screenPoints: { x: number; y: number }[] };
      expect(click.action.type).toBe('click');
      const screen = click.screenPoints[0]!;
      const expected = {
        x: (screen.x * profile.viewport.width) / profile.display.width,
        y: (screen.y * profile.viewport.height) / profile.display.height,
      };
      // The marker's centre relative to the image, in the image's own pixels.
      const drawn = await page.evaluate<{ naturalWidth: number; x: number; y: number }>(`(() => {
        const step = document.querySelector('.step:not([hidden])');
        const img = step.querySelector('img');
        const image = img.getBoundingClientRect();
        const dot = step.querySelector('.mark-click .dot').getBoundingClientRect();
        return {
          naturalWidth: img.naturalWidth,
          x: (dot.left + dot.width / 2 - image.left) * (img.naturalWidth / image.width),
          y: (dot.top + dot.height / 2 - image.top) * (img.naturalHeight / image.height),
        };
      })()`);
      expect(drawn.naturalWidth).toBe(1024);
      expect(Math.abs(drawn.x - expected.x)).toBeLessThan(1);
      expect(Math.abs(drawn.y - expected.y)).toBeLessThan(1);

      if (process.env.DESKHAND_UPDATE_DOCS === '1') {
        await page.evaluate('window.scrollTo(0, 0)');
        await page.screenshot({ path: join(dir, 'report-page.png') });
        copyFileSync(join(dir, 'report-page.png'), DOCS_SHOT);
      }

      // → shows the typed step, with the secret as its placeholder and nowhere in clear.
      await page.keyboard.press('ArrowRight');
      expect(await page.locator('#position').textContent()).toBe(`Step 2 of ${stepLines.length}`);
      const typed = page.locator('#step-2');
      expect(await typed.isVisible()).toBe(true);
      expect(await page.locator('#step-1').isVisible()).toBe(false);
      expect(await typed.locator('.typed').textContent()).toBe('{{PASSWORD}}');
      expect(await page.content()).not.toContain('hunter2secret');
      await page.keyboard.press('ArrowRight');
      expect(await page.locator('#step-3 .mark-click').getAttribute('data-count')).toBe('2');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      expect(await page.locator('#step-1').isVisible()).toBe(true);
      expect(await page.locator('#position').textContent()).toBe(`Step 1 of ${stepLines.length}`);

      // The time chart and the step's timings, from the record's request and screenshot lines.
      expect(await page.locator('.time .bar.total .seg').count()).toBeGreaterThan(2);
      expect(await page.locator('#step-1 dd').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringMatching(/^first action after .+, response complete after /)]),
      );
      expect(await page.locator('#step-2 .caption').textContent()).toBe('type "{{PASSWORD}}"');
      await page.locator('details.turns summary').click();
      // One bar per turn and the first screenshot's ("start"); a turn's name leads to its first step.
      expect(await page.locator('.turnrow').count()).toBe(runJson.turns! + 1);
      await page.locator('.turnrow a', { hasText: 'turn 2' }).click();
      expect(await page.locator('#position').textContent()).toBe(`Step 2 of ${stepLines.length}`);
      await page.locator('details.turns summary').click();
      await page.keyboard.press('Home');

      expect(attempted).toEqual([]);
      // Times are printed, not asserted: a loaded machine would make them flaky (they belong in a bench).
      console.log(`report page load: ${loadMs.toFixed(0)} ms (${wallMs.toFixed(0)} ms through Playwright)`);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('a 300-step record: the report has every step and its page navigates offline', async () => {
    const root = mkdtempSync(join(tmpdir(), 'report-big-'));
    const profile = {
      display: { width: 1280, height: 800, originX: 0, originY: 0, scaleFactor: 1 },
      viewport: { width: 1280, height: 800 },
      coordMode: 'normalized',
      maxEdge: 1280,
    };
    const record = await RunRecord.create(root, {
      runId: crypto.randomUUID(),
      task: 'A long run',
      provider: 'lightcone',
      model: 'm',
      profile,
      startedAt: new Date().toISOString(),
    });
    const png = await sharp({ create: { width: 1280, height: 800, channels: 3, background: '#335577' } })
      .png()
      .toBuffer();
    for (let turn = 0; turn <= 300; turn++) await record.screenshot(turn, png, 'png');
    for (let step = 1; step <= 300; step++) {
      const line = {
        step,
        turn: step,
        responseId: `r${step}`,
        callId: `c${step}`,
        action: { type: 'click', x: step, y: step, button: 'left', count: 1 },
        modelPoints: [{ x: step, y: step }],
        screenPoints: [{ x: step * 1.28, y: step * 0.8 }],
      };
      await record.step({ type: 'action.started', ...line });
      await record.step({ type: 'action', ...line, durationMs: 5, ok: true });
    }
    await record.finish({ outcome: 'success', exitCode: 0, steps: 300, turns: 301, durationMs: 600_000 });

    const started = performance.now();
    await writeReport(record.dir);
    const writeMs = performance.now() - started;
    const cliStarted = performance.now();
    const cli = await runCli(['report', record.dir]);
    const cliMs = performance.now() - cliStarted;
    expect(cli.code).toBe(0);

    const { page, context, attempted, loadMs, wallMs } = await openOffline(cli.stdout.trim());
    try {
      expect(await page.locator('section.step').count()).toBe(300);
      await page.keyboard.press('End');
      expect(await page.locator('#position').textContent()).toBe('Step 300 of 300');
      await page.keyboard.press('ArrowLeft');
      expect(await page.locator('#step-299').isVisible()).toBe(true);
      expect(attempted).toEqual([]);
      const size = readFileSync(join(record.dir, 'report.html')).length;
      console.log(
        `300 steps: report written in ${writeMs.toFixed(0)} ms (deskhand report, process included: ${cliMs.toFixed(0)} ms), ` +
          `${(size / 1024).toFixed(0)} KiB; page load ${loadMs.toFixed(0)} ms (${wallMs.toFixed(0)} ms through Playwright)`,
      );
    } finally {
      await context.close();
    }
  }, 120_000);
});

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('the live report (deskhand run --report)', () => {
  it('shows step N while the run is at step N, then the final page', async () => {
    // The model answers turn k only when the test opens gate k: the run waits at a known step.
    const gates = [0, 1, 2].map(() => deferred());
    const arrived = [0, 1, 2].map(() => deferred());
    const turns = [
      { actions: [{ type: 'click', ...at('title') }] },
      { actions: [{ type: 'type', text: 'live' }] },
      { functionCalls: [{ name: 'done', arguments: { message: 'Typed' } }] },
    ];
    const server = await serve({
      script: async ({ turnIndex }) => {
        arrived[turnIndex]?.resolve();
        await gates[turnIndex]?.promise;
        return turns[turnIndex] ?? { message: 'script exhausted' };
      },
    });
    const root = mkdtempSync(join(tmpdir(), 'report-live-'));
    const child = startCli([
      'run',
      'Type live',
      '--display',
      display.name,
      '--base-url',
      server.url,
      '--record',
      root,
      '--report',
      '--json',
    ]);
    const done = collect(child);
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      await arrived[0]!.promise;
      const dir = join(root, readdirSync(root)[0]!);
      const page = await context.newPage();
      // What the page shows, read in one go (the live page reloads itself: a read may meet a reload).
      const shown = () =>
        page
          .evaluate<{
            position?: string | null;
            step?: string | null;
            live: boolean;
            outcome?: string | null;
          }>(
            `({
              position: document.getElementById('position')?.textContent,
              step: document.querySelector('.step:not([hidden]) h2')?.textContent,
              live: document.body.dataset.live !== undefined && document.getElementById('live') !== null,
              outcome: document.getElementById('outcome')?.textContent,
            })`,
          )
          .catch(() => undefined);
      const options = { timeout: 20_000, intervals: [200] };
      // The page exists before the first step: a person can open it as soon as the run starts.
      await expect.poll(() => existsSync(join(dir, 'report.html')), options).toBe(true);
      await page.goto(`file://${dir}/report.html`);
      await expect.poll(async () => (await shown())?.live, options).toBe(true);

      for (const [index, type] of (['click', 'type'] as const).entries()) {
        gates[index]!.resolve();
        // The run is at step N: its action done, the next request waiting at the model.
        await arrived[index + 1]!.promise;
        const n = index + 1;
        await expect
          .poll(shown, options)
          .toMatchObject({ position: `Step ${n} of ${n}`, step: expect.stringContaining(type), live: true });
      }

      gates[2]!.resolve();
      const run = await done;
      expect(run.code).toBe(0);
      // --json: the start's wall-clock time, and the end names the run and its record.
      const events = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events[0]).toMatchObject({
        type: 'run.started',
        startedAt: expect.stringMatching(/^\d{4}-.*Z$/),
      });
      expect(events.at(-1)).toMatchObject({ type: 'run.finished', runId: events[0]!.runId, recordDir: dir });
      // The final page no longer reloads, and says how the run ended.
      await expect.poll(shown, options).toMatchObject({ live: false, outcome: 'success, exit 0' });
    } finally {
      child.kill();
      await context.close();
    }
  }, 90_000);
});
