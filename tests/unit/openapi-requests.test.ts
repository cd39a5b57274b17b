import { describe, expect, it } from 'vitest';
import { openai } from '../../src/protocol/index.js';
import { openApiSpec } from '../support/openapi.js';

/*
 * Every create body deskhand's OpenAI turn builders make, against the spec's `CreateResponse`
 * (shared/reference/openai-openapi.yaml): both computer tools, every option deskhand sets.
 */

const spec = openApiSpec();
const SCREENSHOT =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==';
const display = { width: 1280, height: 800 };
const check = { id: 'cu_sc_1', code: 'malicious_instructions', message: 'We detected instructions.' };

type Options = Parameters<typeof openai.buildNextTurn>[0];
const tools = [
  { tool: 'computer_use_preview', model: 'computer-use-preview' },
  { tool: 'computer', model: 'gpt-5.5' },
] as const;

/** A replay of one earlier turn as deskhand resends it statelessly (the output items as they came). */
const replay = [
  { role: 'user', content: [{ type: 'input_text', text: 'Open the settings' }] },
  {
    type: 'reasoning',
    id: 'rs_1',
    summary: [{ type: 'summary_text', text: 'Clicking the gear.' }],
    encrypted_content: 'gAAAA',
  },
  {
    type: 'computer_call',
    id: 'cu_1',
    call_id: 'call_1',
    status: 'completed',
    action: { type: 'click', button: 'left', x: 10, y: 20 },
    pending_safety_checks: [check],
  },
];

function bodies(tool: 'computer_use_preview' | 'computer', model: string): [string, unknown][] {
  const base = { model, display, tool };
  const first = { ...base, task: 'Open the settings', screenshot: SCREENSHOT };
  const next: Options = {
    ...base,
    previousResponseId: 'resp_1',
    outputs: [{ callId: 'call_1', screenshot: SCREENSHOT }],
  };
  return [
    ['first turn', openai.buildFirstTurn(first)],
    [
      'first turn, every option',
      openai.buildFirstTurn({
        ...first,
        instructions: 'You operate a Linux desktop.',
        stream: true,
        background: true,
        store: true,
        reasoningSummary: 'concise',
        maxOutputTokens: 1024,
        temperature: 0,
        topP: 1,
        environment: 'ubuntu',
      }),
    ],
    ['first turn, reasoning summary auto', openai.buildFirstTurn({ ...first, reasoningSummary: 'auto' })],
    [
      'first turn, reasoning summary detailed',
      openai.buildFirstTurn({ ...first, reasoningSummary: 'detailed' }),
    ],
    ['next turn, chained', openai.buildNextTurn(next)],
    [
      'next turn, acknowledged safety checks and messages',
      openai.buildNextTurn({
        ...next,
        outputs: [{ callId: 'call_1', screenshot: SCREENSHOT, acknowledgedSafetyChecks: [check] }],
        messages: ['The action "hover" is unknown; use move.', 'The user says: go on.'],
      }),
    ],
    [
      'next turn, several calls answered',
      openai.buildNextTurn({
        ...next,
        outputs: [
          { callId: 'call_1', screenshot: SCREENSHOT },
          { callId: 'call_2', screenshot: SCREENSHOT },
        ],
      }),
    ],
    [
      'next turn, stateless replay',
      openai.buildNextTurn({
        ...base,
        store: false,
        include: ['reasoning.encrypted_content'],
        replay,
        outputs: [{ callId: 'call_1', screenshot: SCREENSHOT, acknowledgedSafetyChecks: [check] }],
      }),
    ],
    [
      'next turn, background stream',
      openai.buildNextTurn({ ...next, stream: true, background: true, reasoningSummary: 'concise' }),
    ],
    ['next turn, truncation disabled', openai.buildNextTurn({ ...next, truncation: 'disabled' })],
  ];
}

describe('the CreateResponse validator', () => {
  const good = openai.buildFirstTurn({
    model: 'computer-use-preview',
    display,
    task: 't',
    screenshot: SCREENSHOT,
  });

  it('accepts a plain body', () => {
    expect(spec.problems('CreateResponse', good)).toEqual([]);
  });

  it.each([
    ['an unknown truncation', { ...good, truncation: 'sometimes' }, '/truncation'],
    [
      'a reasoning summary the spec does not list',
      { ...good, reasoning: { summary: 'short' } },
      '/reasoning',
    ],
    ['fewer than 16 output tokens', { ...good, max_output_tokens: 8 }, '/max_output_tokens'],
    [
      'a preview tool without its display',
      { ...good, tools: [{ type: 'computer_use_preview', environment: 'linux' }] },
      '/tools/0',
    ],
    [
      'an environment OpenAI does not know',
      {
        ...good,
        tools: [
          { type: 'computer_use_preview', display_width: 1, display_height: 1, environment: 'desktop' },
        ],
      },
      '/tools/0',
    ],
    [
      'a call output without its screenshot',
      { ...good, input: [{ type: 'computer_call_output', call_id: 'call_1' }] },
      '/input/0',
    ],
    [
      'a screenshot of the wrong type',
      {
        ...good,
        input: [
          { type: 'computer_call_output', call_id: 'c', output: { type: 'image', image_url: SCREENSHOT } },
        ],
      },
      '/input/0',
    ],
  ])('rejects %s', (_, body, path) => {
    const problems = spec.problems('CreateResponse', body);
    expect(problems).not.toEqual([]);
    expect(problems.join('\n')).toContain(path);
  });
});

describe.each(tools)('OpenAI create bodies with the $tool tool', ({ tool, model }) => {
  it.each(bodies(tool, model))('%s conforms to CreateResponse', (_, body) => {
    expect(spec.problems('CreateResponse', body)).toEqual([]);
  });

  it.each(bodies(tool, model))('%s uses only fields the spec declares', (_, body) => {
    expect(undeclared(body as Record<string, unknown>)).toEqual([]);
  });
});

/**
 * Fields deskhand sends that the spec does not name (its schemas are open, so the validator lets them
 * through): on the body, the tool, the message parts, the call outputs and their screenshots.
 */
function undeclared(body: Record<string, unknown>): string[] {
  const known = (name: string): Set<string> => new Set(spec.declaredProperties(name));
  const extra = (where: string, value: unknown, names: Set<string>): string[] =>
    Object.keys(value as object)
      .filter((key) => !names.has(key))
      .map((key) => `${where}.${key}`);
  const problems = extra('body', body, known('CreateResponse'));
  for (const [index, tool] of (body.tools as Record<string, unknown>[]).entries()) {
    const schema = tool.type === 'computer' ? 'ComputerTool' : 'ComputerUsePreviewTool';
    problems.push(...extra(`tools[${index}]`, tool, known(schema)));
  }
  for (const [index, item] of (body.input as Record<string, unknown>[]).entries()) {
    if (item.type === 'computer_call_output') {
      problems.push(...extra(`input[${index}]`, item, known('ComputerCallOutputItemParam')));
      problems.push(...extra(`input[${index}].output`, item.output, known('ComputerScreenshotImage')));
    } else if ('role' in item) {
      problems.push(...extra(`input[${index}]`, item, known('EasyInputMessage')));
      for (const [at, part] of (item.content as Record<string, unknown>[]).entries()) {
        const schema = part.type === 'input_image' ? 'InputImageContent' : 'InputTextContent';
        problems.push(...extra(`input[${index}].content[${at}]`, part, known(schema)));
      }
    }
  }
  return problems;
}

describe('what the spec says about the fields deskhand chooses', () => {
  const createProperty = (name: string): Record<string, unknown> => {
    const [, , own] = spec.schema('CreateResponse').allOf as {
      properties: Record<string, Record<string, unknown>>;
    }[];
    return own!.properties[name]!;
  };

  it('deprecates truncation on create: deskhand sends it only with the preview tool, which needs "auto"', () => {
    expect(createProperty('truncation').deprecated).toBe(true);
    const first = { display, task: 't', screenshot: SCREENSHOT };
    expect(openai.buildFirstTurn({ ...first, model: 'computer-use-preview' }).truncation).toBe('auto');
    expect(openai.buildFirstTurn({ ...first, model: 'gpt-5.5', tool: 'computer' })).not.toHaveProperty(
      'truncation',
    );
  });

  it('declares no detail on the computer_call_output screenshot (only on a message computer_screenshot part)', () => {
    expect(spec.declaredProperties('ComputerScreenshotImage')).toEqual(['file_id', 'image_url', 'type']);
    expect(spec.declaredProperties('ComputerScreenshotContent')).toContain('detail');
  });

  it('lists auto, concise and detailed as reasoning summaries; concise for computer-use-preview', () => {
    const summary = (
      spec.schema('Reasoning').properties as Record<string, { anyOf: Record<string, unknown>[] }>
    ).summary!.anyOf[0]!;
    expect(summary.enum).toEqual(['auto', 'concise', 'detailed']);
    expect(summary.description).toMatch(/`concise` is supported for `computer-use-preview` models/);
  });
});
