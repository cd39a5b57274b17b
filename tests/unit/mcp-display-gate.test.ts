import { describe, expect, it } from 'vitest';
import { DisplayGate } from '../../src/mcp/display-gate.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('DisplayGate', () => {
  it('runs act calls one at a time, in the order they came', async () => {
    const gate = new DisplayGate();
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    await Promise.all([gate.use('act', work('a')), gate.use('act', work('b')), gate.use('act', work('c'))]);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('refuses act while a run_task runs or waits, and takes it again once the task ends', async () => {
    const gate = new DisplayGate();
    let finish = () => {};
    const task = gate.use('run_task', () => new Promise<void>((resolve) => (finish = resolve)));
    await expect(gate.use('act', async () => 'acted')).rejects.toThrow('a run_task is using the display');
    finish();
    await task;
    await expect(gate.use('act', async () => 'acted')).resolves.toBe('acted');
  });

  it('goes on after a call that failed', async () => {
    const gate = new DisplayGate();
    await expect(gate.use('act', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(gate.use('run_task', async () => 'ran')).resolves.toBe('ran');
  });
});
