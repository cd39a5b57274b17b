import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../src/model-server/index.js';
import { type Scripted, startScripted } from '../support/session-harness.js';

/*
 * The session against the local model server speaking the shapes the newest Lightcone SDK, its
 * official harness and OpenAI send, and the faults a real server shows: what the loop performs, what
 * it sends back, and how the run ends.
 */

const runs: Scripted[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.server.close()));
});

async function scripted(...args: Parameters<typeof startScripted>): Promise<Scripted> {
  const run = await startScripted(...args);
  runs.push(run);
  return run;
}

const creates = (run: Scripted): RecordedRequest[] =>
  run.server.requests.filter((request) => request.method === 'POST' && request.path === '/v1/responses');
const body = (request: RecordedRequest | undefined) => request?.body as Record<string, unknown>;
const warnings = (run: Scripted) =>
  run.events.flatMap((event) => (event.type === 'warning' ? [event.message] : []));

describe('Lightcone shapes the official harness handles', () => {
  it('a type with x, y clicks there first (point_and_type)', async () => {
    const run = await scripted({
      script: [{ actions: [{ type: 'type', text: 'hello', x: 500, y: 250 }] }, { message: 'typed' }],
    });
    expect(await run.result).toMatchObject({ outcome: 'success', steps: 1 });
    // 0-999 normalized on a 1280x800 screen.
    expect(run.runner.performed.map((p) => p.action)).toEqual([
      { type: 'point_and_type', x: 640, y: 200, text: 'hello' },
    ]);
  });

  it.each([
    [{ type: 'answer', text: 'The total is 42' }, 'The total is 42'],
    [{ type: 'done', status: 'Saved the file' }, 'Saved the file'],
    [{ type: 'terminate', status: 'success', text: 'Finished it' }, 'Finished it'],
  ])('the ending %j answers "%s"', async (ending, answer) => {
    const run = await scripted({ script: [{ actions: [ending] }] });
    expect(await run.result).toMatchObject({ outcome: 'success', exitCode: 0, result: answer });
  });

  it('a done function call ends the run with its message; the done tool was offered', async () => {
    const run = await scripted({
      script: [
        { actions: [{ type: 'click', x: 100, y: 100 }] },
        { functionCalls: [{ name: 'done', arguments: { message: 'The form is submitted.' } }] },
      ],
    });
    expect(await run.result).toMatchObject({
      outcome: 'success',
      result: 'The form is submitted.',
      turns: 2,
    });
    expect(body(creates(run)[0]).tools).toContainEqual(
      expect.objectContaining({ type: 'function', name: 'done' }),
    );
  });

  it('--no-done-tool offers the computer tool alone', async () => {
    const run = await scripted({ script: [{ message: 'ok' }] }, { doneTool: false });
    await run.result;
    expect(body(creates(run)[0]).tools).toEqual([expect.objectContaining({ type: 'computer_use' })]);
  });

  it('a function call deskhand does not offer is answered, and the run goes on', async () => {
    const run = await scripted({
      script: [{ functionCalls: [{ name: 'open_browser', arguments: {} }] }, { message: 'fine' }],
    });
    expect(await run.result).toMatchObject({ outcome: 'success', result: 'fine', turns: 2 });
    const input = body(creates(run)[1]).input as Record<string, unknown>[];
    expect(input).toContainEqual(
      expect.objectContaining({
        type: 'function_call_output',
        output: expect.stringContaining('open_browser'),
      }),
    );
  });

  it.each(['in_progress', 'incomplete'])(
    'a computer_call whose status stays %s is performed',
    async (status) => {
      const run = await scripted({
        script: [{ actions: [{ type: 'click', x: 100, y: 100 }], callStatus: status }, { message: 'ok' }],
      });
      expect(await run.result).toMatchObject({ outcome: 'success', steps: 1 });
      expect(run.runner.performed).toHaveLength(1);
      if (status === 'incomplete') expect(warnings(run).join('\n')).toContain('marked incomplete');
    },
  );

  it('screenshots answer calls as input_image with detail auto, or computer_screenshot when told', async () => {
    const script = [{ actions: [{ type: 'click', x: 100, y: 100 }] }, { message: 'ok' }];
    const first = await scripted({ script });
    await first.result;
    const output = (body(creates(first)[1]).input as { output?: unknown }[])[0]?.output;
    expect(output).toMatchObject({ type: 'input_image', detail: 'auto' });
    const second = await scripted({ script }, { screenshotOutput: 'computer_screenshot' });
    await second.result;
    const told = (body(creates(second)[1]).input as { output?: Record<string, unknown> }[])[0]?.output;
    expect(told?.type).toBe('computer_screenshot');
    expect(told).not.toHaveProperty('detail');
    expect(second.server.requests.every((request) => request.warnings.length === 0)).toBe(true);
  });

  it('a failed response with an open error object ends with the server message', async () => {
    const run = await scripted({
      script: [{ status: 'failed', error: { type: 'image_too_large', detail: 'The image is over 20 MB.' } }],
    });
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'api_error', exitCode: 1 });
    expect(result.message).toContain('The image is over 20 MB. (image_too_large)');
  });
});

describe('faults of a real server', () => {
  it('an unusable stream: one more request without streaming, one warning, streaming off for the run', async () => {
    const run = await scripted({
      script: [
        { actions: [{ type: 'click', x: 100, y: 100 }], fault: { unusableStream: 'no_id' } },
        { actions: [{ type: 'click', x: 200, y: 200 }] },
        { message: 'done' },
      ],
    });
    expect(await run.result).toMatchObject({ outcome: 'success', steps: 2, turns: 3 });
    expect(creates(run).map((request) => body(request).stream)).toEqual([true, false, false, false]);
    expect(warnings(run).filter((message) => message.includes('without streaming'))).toHaveLength(1);
    expect(run.runner.performed).toHaveLength(2);
  });

  it.each(['lightcone', 'openai'] as const)(
    '%s: an early drop before the response id performs the action once, then fails',
    async (dialect) => {
      const run = await scripted({
        dialect,
        script: [{ actions: [{ type: 'click', x: 100, y: 100 }], fault: { earlyDrop: true } }],
      });
      const result = await run.result;
      expect(result).toMatchObject({ outcome: 'api_error', exitCode: 1, steps: 1 });
      expect(result.message).toContain('could perform the same actions twice');
      expect(run.runner.performed).toHaveLength(1);
      expect(creates(run)).toHaveLength(1);
    },
  );

  it('an error event before the response: exit 1 with the server message, one POST', async () => {
    const run = await scripted({
      script: [
        {
          message: 'never',
          fault: { errorBeforeCreated: { code: 'invalid_image', message: 'Image too large.' } },
        },
      ],
    });
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'api_error', exitCode: 1 });
    expect(result.message).toContain('Image too large. (invalid_image)');
    expect(creates(run)).toHaveLength(1);
  });

  it('a JSON body reset mid-way is a network error of the API (exit 1), not an action error', async () => {
    const run = await scripted(
      { script: [{ message: 'never', fault: { resetMidBody: 'before_id' } }] },
      { stream: false },
    );
    const result = await run.result;
    expect(result).toMatchObject({ outcome: 'api_error', exitCode: 1 });
    expect(result.message).toContain('broke off');
    expect(creates(run)).toHaveLength(1);
  });

  it('retries are shown as warnings', async () => {
    const run = await scripted({
      script: [{ message: 'ok', fault: { httpError: { status: 503, times: 1 } } }],
    });
    expect(await run.result).toMatchObject({ outcome: 'success' });
    expect(warnings(run).join('\n')).toMatch(/server error \(503\).*retry 1 of 2/);
    const { steps } = await run.readRecord();
    expect(steps).toContainEqual(
      expect.objectContaining({ type: 'warning', message: expect.stringMatching(/retry 1 of 2/) }),
    );
  });

  it('a response of 1,000 calls makes a next request of bounded size', async () => {
    const actions = Array.from({ length: 1000 }, () => ({ type: 'wait' }));
    const run = await scripted({ script: [{ actions }, { message: 'ok' }] }, { dryRun: true });
    expect(await run.result).toMatchObject({ outcome: 'success', steps: 1000 });
    const next = creates(run)[1]!;
    expect((body(next).input as unknown[]).length).toBe(1000);
    expect(JSON.stringify(next.body).length).toBeLessThan(400_000);
    expect(next.images.filter((image) => image.width === 1280)).toHaveLength(4);
  });
});

describe('OpenAI from the session', () => {
  it('the GA computer tool for a newer model: batched actions in order, reasoning asked and shown', async () => {
    const run = await scripted(
      {
        dialect: 'openai',
        script: [
          {
            reasoning: 'Click then type.',
            batch: true,
            actions: [
              { type: 'click', button: 'left', x: 10, y: 20 },
              { type: 'type', text: 'abc' },
            ],
          },
          { message: 'done' },
        ],
      },
      { model: 'gpt-5.4' },
    );
    expect(await run.result).toMatchObject({ outcome: 'success', steps: 2 });
    const first = body(creates(run)[0]);
    expect(first.tools).toEqual([{ type: 'computer' }]);
    expect(first.reasoning).toEqual({ summary: 'auto' });
    expect(first).not.toHaveProperty('truncation');
    expect(run.runner.performed.map((p) => p.action.type)).toEqual(['click', 'type']);
    expect(run.events).toContainEqual(
      expect.objectContaining({ type: 'reasoning', text: 'Click then type.' }),
    );
  });

  it('the preview tool for computer-use-preview, with concise summaries and truncation auto', async () => {
    const run = await scripted({ dialect: 'openai', script: [{ message: 'ok' }] });
    await run.result;
    expect(body(creates(run)[0])).toMatchObject({
      tools: [expect.objectContaining({ type: 'computer_use_preview' })],
      reasoning: { summary: 'concise' },
      truncation: 'auto',
    });
  });
});
