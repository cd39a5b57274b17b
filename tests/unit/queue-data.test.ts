import { describe, expect, it } from 'vitest';
import { QueueConfigError, redisTarget } from '../../src/queue/connection.js';
import { jobData, parseInterval } from '../../src/queue/enqueue.js';
import { runArgv } from '../../src/queue/run-args.js';

describe('a job as deskhand run', () => {
  it("runs with the job's options, then the slot's display, --json and the task on stdin", () => {
    expect(
      runArgv(
        {
          'max-turns': 5,
          stream: false,
          'require-done': true,
          secret: ['A', 'B'],
          instructions: '-be brief',
        },
        { display: ':93', recordRoot: '/runs' },
      ),
    ).toEqual([
      'run',
      '--max-turns=5',
      '--no-stream',
      '--require-done',
      '--secret=A',
      '--secret=B',
      '--instructions=-be brief',
      '--record=/runs',
      '--display=:93',
      '--json',
      '--task-file=-',
    ]);
  });

  it("keeps the job's own record choice over the worker's", () => {
    expect(runArgv({ record: false }, { display: ':1', recordRoot: '/runs' })).toContain('--no-record');
    expect(runArgv({ record: false }, { display: ':1', recordRoot: '/runs' })).not.toContain(
      '--record=/runs',
    );
  });
});

describe('job data', () => {
  it('refuses an API key, a display and --xvfb, saying why', () => {
    expect(() => jobData('x', { 'api-key': 'sk-123' })).toThrow(/never stored in the queue/);
    expect(() => jobData('x', { display: ':0' })).toThrow(/owns its display/);
    expect(() => jobData('x', { xvfb: '1280x800' })).toThrow(/--size/);
  });

  it('stores secrets by name only, and refuses what is not a variable name', () => {
    expect(jobData('x', { secret: ['LOGIN_PASSWORD'] }).options).toEqual({ secret: ['LOGIN_PASSWORD'] });
    expect(() => jobData('x', { secret: ['hunter2!'] })).toThrow(QueueConfigError);
  });

  it('refuses an empty task', () => {
    expect(() => jobData('  ')).toThrow(/the task is empty/);
  });
});

describe('schedules and Redis URLs', () => {
  it('reads intervals, and leaves cron patterns alone', () => {
    expect(parseInterval('2s')).toBe(2000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('1h')).toBe(3_600_000);
    expect(parseInterval('*/2 * * * * *')).toBeUndefined();
  });

  it('never shows the Redis password, and refuses what is not a redis URL', () => {
    const target = redisTarget('redis://:s3cret@example.org:6380/2', 'client');
    expect(target.shown).toBe('redis://:***@example.org:6380/2');
    expect(target.password).toBe('s3cret');
    expect(() => redisTarget('http://example.org', 'client')).toThrow(/redis:\/\//);
    expect(() => redisTarget('not a url', 'worker')).toThrow(/not a URL/);
  });
});
