import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReportView, reportView } from '../../src/report/index.js';
import { parseDuration, pruneRuns } from '../../src/report/prune.js';
import {
  parseRecordLine,
  RECORD_FORMAT_VERSION,
  RecordFormatError,
  readRunRecord,
} from '../../src/trajectory/index.js';
import { makeRecord } from '../support/report-records.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'record-format-'));

describe('the record format', () => {
  it('writes run.json with its format version, pid and host; every line reads back against the schema', async () => {
    const dir = await makeRecord(tmp());
    const { run, steps } = await readRunRecord(dir);
    expect(run).toMatchObject({ formatVersion: RECORD_FORMAT_VERSION, pid: process.pid, status: 'finished' });
    expect(steps.filter((line) => line.type === 'screenshot').map((line) => line.file)).toEqual([
      'screenshots/turn-000.png',
      'screenshots/turn-001.png',
      'screenshots/turn-002.png',
      'screenshots/turn-003.png',
    ]);
  });

  it('refuses a record of a newer format, saying to update deskhand', async () => {
    const dir = await makeRecord(tmp());
    const path = join(dir, 'run.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), formatVersion: 99 }));
    await expect(readRunRecord(dir)).rejects.toThrow(RecordFormatError);
    await expect(readRunRecord(dir)).rejects.toThrow(
      /format 99, written by a newer deskhand.*update deskhand/,
    );
  });

  it('names the file, line and field of a line that breaks the format; keeps unknown line types', async () => {
    const dir = await makeRecord(tmp());
    writeFileSync(join(dir, 'steps.jsonl'), '{"type":"future","x":1}\n{"type":"action","step":"one"}\n');
    await expect(readRunRecord(dir)).rejects.toThrow(/steps\.jsonl line 2 \(action\): step:/);
    expect(parseRecordLine({ type: 'future', x: 1 }, 'here')).toEqual({ type: 'future', x: 1 });
    expect(() => parseRecordLine([], 'here')).toThrow(/here: expected a JSON object/);
  });

  it('reads a record written before the format had a version (no formatVersion, no timings)', async () => {
    const dir = await makeRecord(tmp());
    const path = join(dir, 'run.json');
    const old = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    for (const field of ['formatVersion', 'pid', 'host']) delete old[field];
    writeFileSync(path, JSON.stringify(old));
    const view = await readReportView(dir);
    expect(view.steps).toHaveLength(4);
  });
});

describe('report timings, notes and held keys', () => {
  it('gives each step its request, action and screenshot times, and sums the run by part', async () => {
    const view = await readReportView(await makeRecord(tmp()));
    expect(view.steps[0]!.timing).toEqual({
      firstActionMs: 400,
      responseMs: 900,
      retries: 1,
      resumes: 0,
      actionMs: 3,
      settleMs: 10,
      captureMs: 20,
    });
    expect(view.run.retries).toBe(1);
    // model = response less the actions performed while it streamed; capture = screenshot less settle.
    expect(view.time.total).toEqual({
      model: 897 + 496,
      actions: 3 + 4,
      settle: 0 + 10 + 20 + 30,
      capture: 20 * 4,
      // The record's 1.5 s is less than the parts measured: never a negative rest.
      other: 0,
    });
    expect(view.time.turns.map((t) => t.turn)).toEqual([0, 1, 2, 3]);
  });

  it('puts a safety decision and a nudge at the step of their turn', async () => {
    const view = await readReportView(await makeRecord(tmp()));
    expect(view.steps[1]!.notes).toEqual([
      { kind: 'safety', message: 'safety check approved: Check the <page>' },
    ]);
    expect(view.steps[2]!.notes.map((note) => note.kind)).toEqual(['rejected', 'nudge']);
  });

  it('shows keys and buttons as held from key_down/mouse_down to their up', () => {
    const line = (step: number, action: Record<string, unknown>) => ({
      type: 'action.started',
      step,
      turn: step,
      responseId: 'r',
      callId: `c${step}`,
      action,
      modelPoints: [],
      screenPoints: [],
    });
    const run = {
      runId: 'r',
      task: 't',
      provider: 'lightcone',
      model: 'm',
      profile: {},
      startedAt: '2026-01-01T00:00:00.000Z',
      status: 'finished' as const,
    };
    const view = reportView(
      '/r',
      run,
      [
        line(1, { type: 'key_down', keys: ['shift'] }),
        line(2, { type: 'click', x: 1, y: 1, button: 'left', count: 1 }),
        line(3, { type: 'mouse_down', button: 'left' }),
        line(4, { type: 'key_up', keys: ['shift'] }),
        line(5, { type: 'mouse_up', button: 'left' }),
        line(6, { type: 'type', text: 'x' }),
      ],
      [],
    );
    expect(view.steps.map((step) => step.held)).toEqual([
      ['shift'],
      ['shift'],
      ['shift', 'left button'],
      ['shift', 'left button'],
      ['left button'],
      [],
    ]);
  });
});

describe('runs prune', () => {
  it('keeps the newest N, removes by age, never a running record, and only says so with dryRun', async () => {
    const root = tmp();
    const day = 86_400_000;
    const now = new Date('2026-03-01T00:00:00.000Z');
    const at = (days: number) => new Date(now.getTime() - days * day).toISOString();
    const old = await makeRecord(root, 'old', 'aaaa0001-0000-4000-8000-000000000000', at(40));
    const mid = await makeRecord(root, 'mid', 'aaaa0002-0000-4000-8000-000000000000', at(10));
    await makeRecord(root, 'new', 'aaaa0003-0000-4000-8000-000000000000', at(1));
    // A record still running: this process wrote it and is alive.
    const running = await makeRecord(root, 'running', 'aaaa0004-0000-4000-8000-000000000000', at(50));
    const runJson = join(running, 'run.json');
    writeFileSync(
      runJson,
      JSON.stringify({ ...JSON.parse(readFileSync(runJson, 'utf8')), status: 'running' }),
    );

    const dry = await pruneRuns(root, { keep: 1, dryRun: true, now });
    expect(dry.removed.map((run) => run.dir).sort()).toEqual([mid, old].sort());
    expect(dry.running.map((run) => run.dir)).toEqual([running]);
    expect((await pruneRuns(root, { keep: 1, dryRun: true, now })).removed).toHaveLength(2);

    const byAge = await pruneRuns(root, { olderThanMs: parseDuration('30d')!, now });
    expect(byAge.removed.map((run) => run.dir)).toEqual([old]);
    expect(byAge.removed[0]!.bytes).toBeGreaterThan(0);
    expect(byAge.running.map((run) => run.dir)).toEqual([running]);
    const left = await pruneRuns(root, { keep: 0, dryRun: true, now });
    expect(left.removed.map((run) => run.task).sort()).toEqual(['mid', 'new']);
  });

  it('reads durations', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('30')).toBeUndefined();
    expect(parseDuration('3 days')).toBeUndefined();
  });
});
