import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeRecord } from '../support/report-records.js';

/** deskhand report and deskhand runs, the built CLI, on records written by RunRecord. */
describe('deskhand report', () => {
  it('writes report.html into the named run and prints its file:// URL', async () => {
    const root = mkdtempSync(join(tmpdir(), 'report-cli-'));
    const first = await makeRecord(root, 'first', 'aaaa1111-0000-4000-8000-000000000000');
    const second = await makeRecord(
      root,
      'second',
      'aaaa2222-0000-4000-8000-000000000000',
      '2026-01-02T04:00:00.000Z',
    );

    const latest = await runCli(['report', '--record-root', root], { XDG_STATE_HOME: '/nonexistent' });
    expect(latest.stderr).toBe('');
    expect(latest.code).toBe(0);
    expect(latest.stdout).toBe(`${pathToFileURL(join(second, 'report.html')).href}\n`);

    const byPrefix = await runCli(['report', 'aaaa1', '--record-root', root]);
    expect(byPrefix.stdout).toBe(`${pathToFileURL(join(first, 'report.html')).href}\n`);
    expect(existsSync(join(first, 'report.html'))).toBe(true);

    const byDir = await runCli(['report', second]);
    expect(byDir.code).toBe(0);
    expect(byDir.stdout).toBe(`${pathToFileURL(join(second, 'report.html')).href}\n`);
  });

  it('exits 2 for a RUN that matches nothing or several, saying which', async () => {
    const root = mkdtempSync(join(tmpdir(), 'report-cli-'));
    await makeRecord(root, 'first', 'bbbb1111-0000-4000-8000-000000000000');
    await makeRecord(root, 'second', 'bbbb2222-0000-4000-8000-000000000000');

    const none = await runCli(['report', 'cccc', '--record-root', root]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no run matches "cccc"/);

    const several = await runCli(['report', 'bbbb', '--record-root', root]);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/"bbbb" matches 2 runs/);
    expect(several.stderr).toContain('bbbb1111-0000-4000-8000-000000000000');

    const empty = await runCli(['report', '--record-root', join(root, 'missing')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no run records under/);
  });
});

describe('deskhand runs', () => {
  it('lists runs one line each, --failed keeps the failed ones, --json one object each', async () => {
    const root = mkdtempSync(join(tmpdir(), 'report-cli-'));
    const failedDir = await makeRecord(root, 'Export the report', 'dddd1111-0000-4000-8000-000000000000');

    const plain = await runCli(['runs', '--record-root', root]);
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^2026-01-02 03:04:05Z {2}failure \(exit 1\) +3 actions +1\.5s {2}"Export the report" {2}/,
    );
    expect(lines[0]!.endsWith(failedDir)).toBe(true);

    const json = await runCli(['runs', '--json', '--failed', '--record-root', root]);
    const parsed = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toEqual([
      expect.objectContaining({ runId: 'dddd1111-0000-4000-8000-000000000000', exitCode: 1, dir: failedDir }),
    ]);
  });
});

describe('deskhand runs prune', () => {
  it('removes what --keep and --older-than say, prints each, --dry-run removes nothing; bad input exits 2', async () => {
    const root = mkdtempSync(join(tmpdir(), 'report-cli-'));
    const old = await makeRecord(
      root,
      'old',
      'eeee0001-0000-4000-8000-000000000000',
      '2020-01-01T00:00:00.000Z',
    );
    const recent = await makeRecord(
      root,
      'recent',
      'eeee0002-0000-4000-8000-000000000000',
      new Date().toISOString(),
    );

    const dry = await runCli(['runs', 'prune', '--older-than', '30d', '--dry-run', '--record-root', root]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^would remove 2020-01-01 00:00:00Z .*"old" .*\n$/);
    expect(dry.stderr).toMatch(/would remove 1 run \(0\.0 MB\), kept 1/);
    expect(existsSync(old)).toBe(true);

    const pruned = await runCli(['runs', 'prune', '--keep', '1', '--record-root', root]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout.trim().endsWith(old)).toBe(true);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);

    const nothing = await runCli(['runs', 'prune', '--record-root', root]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/--keep 20 or --older-than 30d/);
    const badAge = await runCli(['runs', 'prune', '--older-than', '30 days', '--record-root', root]);
    expect(badAge.code).toBe(2);
    expect(badAge.stderr).toMatch(/--older-than "30 days": expected a number and a unit/);
  });
});
