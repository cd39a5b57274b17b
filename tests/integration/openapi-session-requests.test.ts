import { afterEach, describe, expect, it } from 'vitest';
import type { Turn } from '../../src/model-server/index.js';
import { openApiSpec } from '../support/openapi.js';
import { type Scripted, startScripted } from '../support/session-harness.js';

/*
 * Every request body the real client sends during OpenAI runs (session loop, client, local model
 * server over HTTP), captured from `server.requests`, against the spec's `CreateResponse`.
 */

const spec = openApiSpec();
const runs: Scripted[] = [];

afterEach(async () => {
  for (const run of runs.splice(0)) {
    run.session.cancel();
    await run.result;
    await run.server.close();
  }
});

const click = { type: 'click', button: 'left', x: 320, y: 200 };
const safetyCheck = {
  id: 'cu_sc_1',
  code: 'malicious_instructions',
  message: 'Instructions found on screen.',
};

/** A run of three turns: reasoning and a call with a safety check, a batch of two calls, the answer. */
const script: Turn[] = [
  { reasoning: 'The settings gear is top right.', actions: [click], safetyChecks: [safetyCheck] },
  {
    actions: [
      { type: 'type', text: 'dark mode' },
      { type: 'keypress', keys: ['ENTER'] },
    ],
  },
  { reasoning: 'Dark mode is on.', message: 'Dark mode is on.' },
];

async function run(options: Parameters<typeof startScripted>[1]): Promise<Record<string, unknown>[]> {
  const scripted = await startScripted(
    { dialect: 'openai', strictChaining: true, script },
    { approveSafetyChecks: async () => true, ...options },
  );
  runs.push(scripted);
  const result = await scripted.result;
  expect(result).toMatchObject({ outcome: 'success', result: 'Dark mode is on.' });
  const creates = scripted.server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  expect(creates).toHaveLength(script.length);
  return creates.map((request) => request.body as Record<string, unknown>);
}

describe.each([
  ['computer_use_preview, streamed in the background', {}],
  ['computer_use_preview, not streamed', { stream: false }],
  ['computer_use_preview, stateless', { chain: false }],
  ['GA computer, streamed in the background', { openaiTool: 'computer' as const }],
  [
    'GA computer, stateless and not streamed',
    { openaiTool: 'computer' as const, chain: false, stream: false },
  ],
])('an OpenAI run with %s', (_, options) => {
  it('sends only create bodies that conform to CreateResponse', async () => {
    const bodies = await run(options);
    const problems = bodies.map((body) => spec.problems('CreateResponse', body));
    expect(problems).toEqual(bodies.map(() => []));
    // What makes the run worth checking: screenshots and an acknowledged safety check went out.
    expect(JSON.stringify(bodies[1])).toContain('"acknowledged_safety_checks"');
    expect(JSON.stringify(bodies[2])).toContain('"computer_screenshot"');
  });
});
