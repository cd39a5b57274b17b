import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/session/run-events.js';
import { readRunRecord } from '../../src/trajectory/index.js';
import { runCli } from '../support/cli.js';

/** The README's main command, as a user runs it: everything private, a verified result, exit 0. */
describe('deskhand demo', () => {
  it('runs the scripted task end to end on a private display and verifies the app', async () => {
    const state = mkdtempSync(join(tmpdir(), 'deskhand-state-'));
    const result = await runCli(['demo', '--json'], { XDG_STATE_HOME: state });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as RunEvent | { type: 'demo.checked'; passed: boolean; checks: unknown[] },
      );
    const checked = lines.at(-1) as { type: string; passed: boolean; checks: { ok: boolean }[] };
    expect(checked.type).toBe('demo.checked');
    expect(checked.passed).toBe(true);
    expect(checked.checks.length).toBeGreaterThanOrEqual(6);
    const started = lines.find((line) => line.type === 'run.started') as Extract<
      RunEvent,
      { type: 'run.started' }
    >;
    expect(started.recordDir?.startsWith(join(state, 'deskhand', 'runs'))).toBe(true);
    const { run, steps } = await readRunRecord(started.recordDir as string);
    expect(run.outcome).toBe('success');
    expect(steps.filter((step) => step.type === 'action')).toHaveLength(7);
  });

  it('prints a readable summary and the record path on stderr', async () => {
    const result = await runCli(['demo', '--no-record']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/private virtual display :\d+/);
    expect(result.stderr).toMatch(/✓ title typed exactly/);
    expect(result.stderr).toMatch(/demo passed/);
    expect(result.stdout).toMatch(/Saved the note/);
  });
});
