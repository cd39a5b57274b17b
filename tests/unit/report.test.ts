import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  escape,
  findRun,
  liveReport,
  readReportView,
  renderReport,
  RunNotFoundError,
  writeReport,
} from '../../src/report/index.js';
import { makeRecord } from '../support/report-records.js';

describe('report view', () => {
  it('puts each mark in screenshot pixels (screen point scaled by viewport/screen)', async () => {
    const view = await readReportView(await makeRecord(mkdtempSync(join(tmpdir(), 'report-'))));
    expect(view.steps.map((step) => step.kind)).toEqual(['action', 'action', 'rejected', 'action']);
    expect(view.steps[0]!.marks).toEqual([
      { kind: 'click', at: { x: 512, y: 192 }, count: 2, button: 'left' },
    ]);
    expect(view.steps[3]!.marks).toEqual([
      {
        kind: 'path',
        points: [
          { x: 0, y: 0 },
          { x: 1024, y: 640 },
        ],
      },
    ]);
    // Turn T was decided from the screenshot sent with it, turn-(T-1).
    expect(view.steps[0]!.screenshot).toBe('screenshots/turn-000.png');
    expect(view.steps[2]!.screenshot).toBe('screenshots/turn-002.png');
    expect(view.steps[0]!.notes).toEqual([{ kind: 'warning', message: 'retrying <soon>' }]);
    expect(view.steps[1]!.text).toBe('[redacted]');
    expect(view.run).toMatchObject({ outcome: 'failure', exitCode: 1, actions: 3, rejected: 1, warnings: 1 });
  });

  it('shows what the model reasoned at the steps of its turn, escaped', async () => {
    const dir = await makeRecord(mkdtempSync(join(tmpdir(), 'report-')));
    const view = await readReportView(dir);
    expect(view.steps[0]!.reasoning).toBe('The <Send> button is at the bottom.');
    expect(view.steps[1]!.reasoning).toBeUndefined();
    expect(renderReport(view)).toContain('The &lt;Send&gt; button is at the bottom.');
  });

  it('escapes every text from the record', async () => {
    const dir = await makeRecord(mkdtempSync(join(tmpdir(), 'report-')), '<img src=x onerror=alert(1)>');
    const html = renderReport(await readReportView(dir));
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('retrying &lt;soon&gt;');
    expect(html).not.toMatch(/https?:\/\//);
    expect(escape(`a&b<"'>`)).toBe('a&amp;b&lt;&quot;&#39;&gt;');
  });

  it('writes report.html into the record', async () => {
    const dir = await makeRecord(mkdtempSync(join(tmpdir(), 'report-')));
    const path = await writeReport(dir);
    expect(path).toBe(join(dir, 'report.html'));
    const html = await readFile(path, 'utf8');
    expect(html.match(/<section class="step"/g)).toHaveLength(4);
    expect(html).toContain('src="screenshots/turn-000.png"');
  });
});

describe('the live report', () => {
  it('writes a self-reloading page while the run goes on, and a still one at the end', async () => {
    const dir = await makeRecord(mkdtempSync(join(tmpdir(), 'report-')));
    const live = liveReport(dir, { reloadMs: 1500 });
    // A burst of updates: writes never overlap, the last state is written.
    for (let i = 0; i < 5; i++) live.update();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect
      .poll(async () => readFile(join(dir, 'report.html'), 'utf8').catch(() => ''))
      .toContain('data-live="1500"');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('id="live"');
    await live.finish();
    const final = await readFile(join(dir, 'report.html'), 'utf8');
    expect(final).not.toContain('data-live');
    live.update();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toBe(final);
  });
});

describe('findRun', () => {
  it('finds the latest run, a run by id prefix or folder, and refuses no match or several', async () => {
    const root = mkdtempSync(join(tmpdir(), 'report-runs-'));
    const dir = await makeRecord(root);
    expect(await findRun(undefined, root)).toBe(dir);
    expect(await findRun('abcdef', root)).toBe(dir);
    expect(await findRun(dir, '/nonexistent')).toBe(dir);
    await expect(findRun('zzz', root)).rejects.toThrow(RunNotFoundError);
    await expect(findRun('2026', root)).resolves.toBe(dir);
    await expect(findRun(undefined, join(root, 'none'))).rejects.toThrow(/no run records under/);
  });
});
