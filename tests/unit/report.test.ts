import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  escape,
  findRun,
  readReportView,
  renderReport,
  RunNotFoundError,
  writeReport,
} from '../../src/report/index.js';
import { RunRecord } from '../../src/trajectory/index.js';

const PROFILE = {
  display: { width: 1280, height: 800, originX: 0, originY: 0, scaleFactor: 1 },
  viewport: { width: 1024, height: 640 },
  coordMode: 'normalized',
  maxEdge: 1024,
};

/** A small record as the session writes it: a click, a typed secret, a rejection, a warning, a drag. */
async function makeRecord(root: string, task = 'Fill <the> "form" & send') {
  const record = await RunRecord.create(root, {
    runId: 'abcdef12-0000-4000-8000-000000000000',
    task,
    provider: 'lightcone',
    model: 'm',
    profile: PROFILE,
    startedAt: '2026-01-02T03:04:05.000Z',
    secrets: ['hunter2secret'],
  });
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  for (const turn of [0, 1, 2, 3]) await record.screenshot(turn, png, 'png');
  const click = { type: 'click', x: 500, y: 300, button: 'left', count: 2 };
  const base = { step: 1, turn: 1, responseId: 'r1', callId: 'c1', action: click };
  const points = { modelPoints: [{ x: 500, y: 300 }], screenPoints: [{ x: 640, y: 240 }] };
  await record.step({ type: 'action.started', ...base, ...points });
  await record.step({ type: 'action', ...base, ...points, durationMs: 3, ok: true });
  await record.step({ type: 'warning', at: 10, message: 'retrying <soon>' });
  const type = { type: 'type', text: 'hunter2secret' };
  const typed = {
    step: 2,
    turn: 2,
    responseId: 'r2',
    callId: 'c2',
    action: type,
    modelPoints: [],
    screenPoints: [],
  };
  await record.step({ type: 'action.started', ...typed });
  await record.step({ type: 'action', ...typed, durationMs: 4, ok: true });
  await record.step({ type: 'rejected', turn: 3, responseId: 'r3', callId: 'c3', message: 'unknown action' });
  const drag = { type: 'drag', path: [] };
  const dragged = { step: 3, turn: 3, responseId: 'r3', callId: 'c4', action: drag };
  const dragPoints = {
    modelPoints: [],
    screenPoints: [
      { x: 0, y: 0 },
      { x: 1280, y: 800 },
    ],
  };
  await record.step({ type: 'action.started', ...dragged, ...dragPoints });
  await record.finish({ outcome: 'failure', exitCode: 1, steps: 3, turns: 4, durationMs: 1500 });
  return record.dir;
}

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
