import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/session/run-events.js';
import { type Scripted, startScripted } from '../support/session-harness.js';

/**
 * The session loop against the local model server over real HTTP/SSE: chaining, streaming execution,
 * faults, limits, safety checks, cancel. Actions are recorded, not performed (the e2e tests perform
 * them on a real display).
 */
const runs: Scripted[] = [];

async function scripted(...args: Parameters<typeof startScripted>): Promise<Scripted> {
  const run = await startScripted(...args);
  runs.push(run);
  return run;
}

afterEach(async () => {
  for (const run of runs.splice(0)) {
    run.session.cancel();
    await run.result;
    await run.server.close();
  }
});

const click = (x: number, y: number) => ({ type: 'click', x, y });
const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T) =>
  events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);

function creates(run: Scripted) {
  return run.server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
}

describe('a scripted run', () => {
  it('chains turns: previous_response_id, one output per call_id, screenshots at the declared size', async () => {
    const run = await scripted({
      strictChaining: true,
      script: [
        { reasoning: 'Click the field.', actions: [click(500, 500)] },
        {
          actions: [
            { type: 'type', text: 'hello' },
            { type: 'key', keys: ['ctrl', 's'] },
          ],
        },
        { actions: [{ type: 'terminate', status: 'success', result: 'saved' }] },
      ],
    });
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'success', exitCode: 0, result: 'saved', steps: 3, turns: 3 });
    expect(run.runner.performed.map((p) => p.action)).toEqual([
      { type: 'click', x: 640, y: 400, button: 'left', count: 1 },
      { type: 'type', text: 'hello' },
      { type: 'keypress', keys: ['ctrl', 's'] },
    ]);
    const requests = creates(run);
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.chainError).toBeUndefined();
      expect(request.warnings).toEqual([]);
      expect(request.images.length).toBeGreaterThan(0);
      for (const image of request.images) expect([image.width, image.height]).toEqual([1280, 800]);
    }
    const ids = run.server.responseIds();
    expect((requests[1]?.body as { previous_response_id?: string }).previous_response_id).toBe(ids[0]);
    expect((requests[2]?.body as { previous_response_id?: string }).previous_response_id).toBe(ids[1]);
    // Turn 2 had two computer_calls: both answered.
    const outputs = (requests[2]?.body as { input: { type: string; call_id?: string }[] }).input.filter(
      (item) => item.type === 'computer_call_output',
    );
    expect(outputs).toHaveLength(2);
  });

  it('starts an action at output_item.done, long before response.completed', async () => {
    const run = await scripted({
      script: [{ actions: [click(100, 100)], fault: { completedDelayMs: 800 } }, { message: 'done' }],
    });
    const started = performance.now();
    await run.result;
    const actedAfter = (run.runner.performed[0]?.at ?? Infinity) - started;
    expect(actedAfter).toBeLessThan(500);
    const finishedAt = ofType(run.events, 'usage')[0]?.at ?? 0;
    const actedAt = ofType(run.events, 'action.started')[0]?.at ?? Infinity;
    expect(finishedAt - actedAt).toBeGreaterThan(600);
  });

  it('writes the run record as it goes: a line before and after each action, the ending last, files readable by the user only', async () => {
    const run = await scripted({ script: [{ actions: [click(10, 20)] }, { message: 'finished' }] });
    await run.result;
    const { run: meta, steps } = await run.readRecord();
    expect(meta).toMatchObject({ status: 'finished', outcome: 'success', exitCode: 0, task: 'test task' });
    expect(steps.map((s) => s.type)).toEqual([
      'screenshot',
      'action.started',
      'action',
      'request',
      'screenshot',
      'message',
      'request',
      'end',
    ]);
    expect(steps[0]).toMatchObject({ turn: 0, file: 'screenshots/turn-000.png' });
    expect(steps[1]).toMatchObject({
      step: 1,
      modelPoints: [{ x: 10, y: 20 }],
      screenPoints: [{ x: 13, y: 16 }],
    });
    expect(steps[1]).not.toHaveProperty('ok');
    expect(steps[3]).toMatchObject({ turn: 1, streamed: true, retries: 0 });
    expect(steps[2]).toMatchObject({
      step: 1,
      modelPoints: [{ x: 10, y: 20 }],
      screenPoints: [{ x: 13, y: 16 }],
      ok: true,
    });
    expect(statSync(run.recordDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(run.recordDir, 'steps.jsonl')).mode & 0o777).toBe(0o600);
    expect(statSync(join(run.recordDir, 'screenshots', 'turn-000.png')).mode & 0o777).toBe(0o600);
  });
});

describe('faults', () => {
  it('recovers from a stream dropped mid-turn without running any action twice', async () => {
    const run = await scripted({
      script: [
        {
          reasoning: 'Two clicks.',
          actions: [click(100, 100), click(200, 200)],
          fault: { dropAfterEvents: 9 },
        },
        { message: 'ok' },
      ],
    });
    const result = await run.result;
    expect(result.outcome).toBe('success');
    expect(run.runner.performed.map((p) => p.action)).toEqual([
      expect.objectContaining({ type: 'click', x: 128, y: 80 }),
      expect.objectContaining({ type: 'click', x: 256, y: 160 }),
    ]);
    // The client resumed (retrieve with starting_after) instead of creating again.
    expect(creates(run)).toHaveLength(2);
    expect(run.server.requests.some((r) => r.method === 'GET')).toBe(true);
  });

  it('retries a 500 and goes on when the server answers the second time', async () => {
    const run = await scripted({
      script: [
        { actions: [click(500, 500)], fault: { httpError: { status: 500, times: 1 } } },
        { message: 'ok' },
      ],
    });
    const result = await run.result;
    expect(result.outcome).toBe('success');
    expect(run.runner.performed).toHaveLength(1);
  });

  it('ends with exit 1 and a clear message when the API keeps failing; the record stays valid', async () => {
    const run = await scripted({
      script: [{ actions: [click(1, 1)], fault: { httpError: { status: 500, times: 10 } } }],
    });
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'api_error', exitCode: 1 });
    expect(result.message).toMatch(/500/);
    const { run: meta, steps } = await run.readRecord();
    expect(meta.outcome).toBe('api_error');
    expect(steps.at(-1)).toMatchObject({ type: 'end', outcome: 'api_error' });
  });

  it('tells the model about an unknown action type instead of dropping it, and goes on', async () => {
    const run = await scripted({
      script: [{ actions: [{ type: 'teleport', x: 5, y: 5 }, click(300, 300)] }, { message: 'ok' }],
    });
    const result = await run.result;
    expect(result.outcome).toBe('success');
    expect(ofType(run.events, 'action.rejected')[0]?.message).toMatch(/unknown action type "teleport"/);
    expect(run.runner.performed.map((p) => p.action.type)).toEqual(['click']);
    expect(JSON.stringify(creates(run)[1]?.body)).toMatch(/teleport/);
    const { steps } = await run.readRecord();
    expect(steps.map((s) => s.type)).toEqual([
      'screenshot',
      'rejected',
      'action.started',
      'action',
      'request',
      'screenshot',
      'message',
      'request',
      'end',
    ]);
  });

  it('clamps coordinates off the 0-999 grid to the screen edge and says so', async () => {
    const run = await scripted({ script: [{ actions: [click(1500, -20)] }, { message: 'ok' }] });
    await run.result;
    expect(run.runner.performed[0]?.action).toMatchObject({ type: 'click', x: 1279, y: 0 });
    expect(
      ofType(run.events, 'warning')
        .map((w) => w.message)
        .join('\n'),
    ).toMatch(/1500|outside|clamp/i);
  });

  it('an error event fails the run with the server message (exit 1)', async () => {
    const run = await scripted({ script: [{ actions: [click(1, 1)], fault: { errorEvent: true } }] });
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'api_error', exitCode: 1 });
  });
});

describe('endings and limits', () => {
  it('terminate failure exits 1 with the result', async () => {
    const run = await scripted({
      script: [{ actions: [{ type: 'terminate', status: 'failure', result: 'no such setting' }] }],
    });
    expect(await run.result).toMatchObject({ outcome: 'failure', exitCode: 1, result: 'no such setting' });
  });

  it('stops at --max-turns with exit 3, after exactly that many requests', async () => {
    const run = await scripted({ script: () => ({ actions: [click(100, 100)] }) }, { maxTurns: 4 });
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'limit', exitCode: 3, turns: 4 });
    expect(result.message).toBe('stopped: the turn limit was reached (4 turns)');
    expect(run.server.requests.filter((r) => r.method === 'POST')).toHaveLength(4);
    expect(run.runner.performed).toHaveLength(4);
  });

  it('stops at --max-actions with exit 3, before the action over the limit', async () => {
    const run = await scripted(
      { script: () => ({ actions: [click(100, 100), click(200, 200), click(300, 300)] }) },
      { maxActions: 5 },
    );
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'limit', exitCode: 3, steps: 5 });
    expect(result.message).toBe('stopped: the action limit was reached (5 actions)');
    expect(run.runner.performed).toHaveLength(5);
  });

  it('--require-done: a bare message is no success (exit 6); an explicit ending is', async () => {
    const bare = await scripted(
      { script: [{ message: 'I could not find the Export button, so I stopped.' }] },
      { requireDone: true },
    );
    expect(await bare.result).toMatchObject({
      outcome: 'unconfirmed',
      exitCode: 6,
      result: 'I could not find the Export button, so I stopped.',
    });
    const done = await scripted(
      { script: [{ actions: [{ type: 'answer', result: 'Exported.' }] }] },
      { requireDone: true },
    );
    expect(await done.result).toMatchObject({ outcome: 'success', exitCode: 0, result: 'Exported.' });
  });

  it('tells the model when its point was off the screen and clamped', async () => {
    const run = await scripted({ script: [{ actions: [click(1500, 100)] }, { message: 'ok' }] });
    await run.result;
    const input = (run.server.requests.filter((r) => r.method === 'POST')[1]?.body as { input: unknown[] })
      .input;
    expect(JSON.stringify(input)).toMatch(/Note: .*clamped/);
  });

  it('stops at the token budget with exit 3', async () => {
    const run = await scripted(
      { script: () => ({ actions: [click(100, 100)], usage: { input_tokens: 900, output_tokens: 100 } }) },
      { tokenBudget: 2500 },
    );
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'limit', exitCode: 3 });
    expect(result.usage.total_tokens).toBe(3000);
  });

  it('nudges the model after 3 repeats on an unchanged screen and stops after 6 (exit 3)', async () => {
    const run = await scripted({ script: () => ({ actions: [click(100, 100)] }) }, { stillScreen: true });
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'limit', exitCode: 3 });
    expect(result.message).toMatch(/repeated/);
    const nudges = ofType(run.events, 'nudge');
    expect(nudges.length).toBeGreaterThan(0);
    expect(JSON.stringify(creates(run)[4]?.body)).toMatch(/did the same thing/);
  });

  it('ends without running anything when a safety check is not approved', async () => {
    const checks = [{ id: 'sc_1', code: 'malicious_instructions', message: 'The page asks to wire money.' }];
    const run = await scripted({ script: [{ actions: [click(1, 1)], safetyChecks: checks }] });
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'safety_refused', exitCode: 1 });
    expect(result.message).toMatch(/wire money/);
    expect(run.runner.performed).toHaveLength(0);
  });

  it('acknowledges approved safety checks in the next request', async () => {
    const checks = [{ id: 'sc_1', code: 'sensitive_domain', message: 'A bank.' }];
    const run = await scripted(
      { strictChaining: true, script: [{ actions: [click(1, 1)], safetyChecks: checks }, { message: 'ok' }] },
      { approveSafetyChecks: async () => true },
    );
    expect((await run.result).outcome).toBe('success');
    expect(creates(run)[1]?.chainError).toBeUndefined();
    expect(JSON.stringify(creates(run)[1]?.body)).toMatch(/acknowledged_safety_checks.*sc_1/);
  });

  it('--no-chain resends the history and keeps only the newest screenshots', async () => {
    const run = await scripted(
      {
        script: [
          { actions: [click(1, 1)] },
          { actions: [click(2, 2)] },
          { actions: [click(3, 3)] },
          { actions: [click(4, 4)] },
          { message: 'ok' },
        ],
      },
      { chain: false, keepScreenshots: 2 },
    );
    expect((await run.result).outcome).toBe('success');
    const last = creates(run).at(-1);
    expect((last?.body as { previous_response_id?: string }).previous_response_id).toBeUndefined();
    const real = (last?.images ?? []).filter((image) => image.width === 1280);
    expect(real).toHaveLength(2);
    expect(last?.images.length).toBe(5);
  });

  it('types {{SECRET}} placeholders with the value but never reports or records it', async () => {
    const run = await scripted(
      { script: [{ actions: [{ type: 'type', text: 'pw: {{PASSWORD}}' }] }, { message: 'ok' }] },
      { secrets: { PASSWORD: 'hunter2-canary' } },
    );
    await run.result;
    expect(run.runner.performed[0]?.action).toEqual({ type: 'type', text: 'pw: hunter2-canary' });
    expect(JSON.stringify(run.events)).not.toContain('hunter2-canary');
    expect(JSON.stringify(run.server.requests)).not.toContain('hunter2-canary');
    const record = await run.readRecord();
    expect(JSON.stringify(record)).not.toContain('hunter2-canary');
  });

  it('speaks the OpenAI dialect: pixel coordinates, chained with call outputs', async () => {
    const run = await scripted({
      dialect: 'openai',
      strictChaining: true,
      script: [{ actions: [{ type: 'click', button: 'left', x: 320, y: 200 }] }, { message: 'done' }],
    });
    expect(await run.result).toMatchObject({ outcome: 'success', result: 'done' });
    expect(run.runner.performed[0]?.action).toMatchObject({ type: 'click', x: 320, y: 200 });
    expect(creates(run)[1]?.chainError).toBeUndefined();
  });
});

describe('cancel', () => {
  it('cancels a hung response on the server, releases input, and records the ending', async () => {
    const run = await scripted({ script: [{ reasoning: 'thinking...', fault: { hang: true } }] });
    await run.server.waitForRequest((r) => r.method === 'POST' && r.path === '/v1/responses');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const id = run.server.responseIds()[0];
    expect(id).toBeDefined();
    const started = performance.now();
    run.session.cancel('SIGINT');
    const result = await run.result;
    const took = performance.now() - started;
    expect(result).toMatchObject({ outcome: 'cancelled', exitCode: 130 });
    expect(run.server.cancelCalls()).toContain(id);
    expect(run.runner.releases).toBeGreaterThan(0);
    expect(took).toBeLessThan(1000);
    const { run: meta, steps } = await run.readRecord();
    expect(meta.outcome).toBe('cancelled');
    expect(steps.at(-1)).toMatchObject({ type: 'end', outcome: 'cancelled' });
  });

  it('SIGTERM while an action runs: exit 143, nothing after it runs', async () => {
    const run = await scripted({ script: [{ actions: [click(1, 1), click(2, 2)] }, { message: 'ok' }] });
    run.runner.delayMs = 2000;
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (run.runner.performed.length > 0) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    run.session.cancel('SIGTERM');
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'cancelled', exitCode: 143 });
    expect(run.runner.performed).toHaveLength(1);
  });
});
