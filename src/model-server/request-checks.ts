/**
 * What the server notices about a create request: what the real API would refuse (400), whether the
 * turn is chained to the right response with the right call_ids, and other departures from the
 * dialect's wire format, recorded so tests can assert a client speaks it correctly.
 */
import { dataUrlImage } from './images.js';
import type { ResponseStore, StoredResponse } from './responses-store.js';
import { computerTool, isObject } from './tools.js';
import type { Dialect, ImageInfo, JsonObject } from './types.js';

export interface Rejection {
  status: number;
  message: string;
  code: string;
  param: string | null;
}

export interface CreateChecks {
  reject?: Rejection;
  previous?: StoredResponse;
  chainErrors: string[];
  warnings: string[];
  images: ImageInfo[];
}

export function checkCreate(dialect: Dialect, body: JsonObject, store: ResponseStore): CreateChecks {
  const checks: CreateChecks = { chainErrors: [], warnings: [], images: [] };
  const input = Array.isArray(body.input) ? body.input : [];
  checks.reject = refusal(dialect, body, input);
  checkTool(dialect, body, checks);
  checkInput(dialect, body, input, checks);
  checkChain(body, input, store, checks);
  return checks;
}

/** What the real API answers 400 to. */
function refusal(dialect: Dialect, body: JsonObject, input: unknown[]): Rejection | undefined {
  const missing = (param: string): Rejection => ({
    status: 400,
    message: `Missing required parameter: '${param}'.`,
    code: 'missing_required_parameter',
    param,
  });
  if (dialect === 'openai' && typeof body.model !== 'string') return missing('model');
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const [index, tool] of tools.entries()) {
    if (!isObject(tool)) continue;
    if (dialect === 'openai' && tool.type === 'computer_use') {
      return {
        status: 400,
        message: `Invalid value: 'computer_use'. Supported computer tools are 'computer_use_preview' and 'computer'.`,
        code: 'invalid_value',
        param: `tools[${index}].type`,
      };
    }
    if (dialect === 'openai' && tool.type === 'computer_use_preview') {
      for (const key of ['display_width', 'display_height', 'environment']) {
        if (tool[key] === undefined) return missing(`tools[${index}].${key}`);
      }
    }
  }
  for (const [index, item] of input.entries()) {
    if (isObject(item) && item.type === 'computer_call_output' && typeof item.call_id !== 'string') {
      return missing(`input[${index}].call_id`);
    }
  }
  const previousId = body.previous_response_id;
  if (previousId !== undefined && previousId !== null && typeof previousId !== 'string') {
    return {
      status: 400,
      message: 'previous_response_id must be a string.',
      code: 'invalid_type',
      param: 'previous_response_id',
    };
  }
  return undefined;
}

function checkTool(dialect: Dialect, body: JsonObject, checks: CreateChecks): void {
  if (body.background !== undefined && dialect === 'lightcone') {
    checks.warnings.push('Lightcone has no `background` parameter');
  }
  const tool = computerTool(body);
  if (!tool) {
    checks.warnings.push('no computer tool in `tools`: the model cannot answer with computer calls');
    return;
  }
  if (dialect === 'lightcone' && tool.type === 'computer') {
    checks.warnings.push("Lightcone's computer tool type is `computer_use`, not OpenAI's GA `computer`");
  }
  if (tool.type === 'computer') return;
  for (const key of ['display_width', 'display_height']) {
    const value = tool[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      checks.warnings.push(`computer tool ${key} is ${JSON.stringify(value)}, expected a positive integer`);
    }
  }
  if (typeof tool.environment !== 'string') checks.warnings.push('computer tool has no `environment`');
}

function checkInput(dialect: Dialect, body: JsonObject, input: unknown[], checks: CreateChecks): void {
  const tool = computerTool(body);
  const declared =
    tool && typeof tool.display_width === 'number' && typeof tool.display_height === 'number'
      ? { width: tool.display_width, height: tool.display_height }
      : undefined;
  const image = (where: string, url: unknown): void => {
    if (typeof url !== 'string' || url === '') {
      checks.warnings.push(`${where} has no image_url`);
      return;
    }
    const size = dataUrlImage(url);
    checks.images.push({ where, ...size });
    if (
      declared &&
      size?.width !== undefined &&
      (size.width !== declared.width || size.height !== declared.height)
    ) {
      checks.warnings.push(
        `${where} is ${size.width}x${size.height}, the declared display is ${declared.width}x${declared.height}`,
      );
    }
  };
  // Lightcone's examples send `input_image` and its newest SDK also names `computer_screenshot`; OpenAI's
  // ComputerScreenshotImage is `computer_screenshot`.
  const screenshotTypes =
    dialect === 'lightcone' ? ['input_image', 'computer_screenshot'] : ['computer_screenshot'];
  for (const [index, item] of input.entries()) {
    if (!isObject(item)) continue;
    if (item.type === 'computer_call_output') {
      const output = item.output;
      const where = `input[${index}].output`;
      if (!isObject(output)) {
        checks.warnings.push(`${where} is missing: every computer_call_output carries a fresh screenshot`);
        continue;
      }
      if (!screenshotTypes.includes(String(output.type))) {
        checks.warnings.push(
          `${where}.type is ${JSON.stringify(output.type)}, ${dialect} expects "${screenshotTypes.join('" or "')}"`,
        );
      }
      image(where, output.image_url);
    }
    if (Array.isArray(item.content)) {
      item.content.forEach((part, partIndex) => {
        if (isObject(part) && part.type === 'input_image')
          image(`input[${index}].content[${partIndex}]`, part.image_url);
      });
    }
  }
}

function checkChain(body: JsonObject, input: unknown[], store: ResponseStore, checks: CreateChecks): void {
  const errors = checks.chainErrors;
  const outputs = input.filter(
    (item): item is JsonObject => isObject(item) && item.type === 'computer_call_output',
  );
  const answered = outputs.map((output) => String(output.call_id));
  for (const [index, callId] of answered.entries()) {
    if (answered.indexOf(callId) !== index) errors.push(`call_id ${callId} is answered more than once`);
  }
  const previousId = body.previous_response_id;
  if (typeof previousId !== 'string') {
    // Stateless: the outputs must answer calls resent in the same input.
    const resent = new Set(
      input
        .filter((item) => isObject(item) && item.type === 'computer_call')
        .map((item) => String((item as JsonObject).call_id)),
    );
    for (const callId of answered) {
      if (!resent.has(callId)) {
        errors.push(
          `computer_call_output ${callId} without previous_response_id answers no computer_call in the input`,
        );
      }
    }
    return;
  }
  const previous = store.get(previousId);
  if (!previous) {
    errors.push(`previous_response_id ${previousId} names no known response`);
    checks.reject ??= {
      status: 400,
      message: `Previous response with id '${previousId}' not found.`,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    };
    return;
  }
  checks.previous = previous;
  if (store.lastId !== previousId) {
    errors.push(`previous_response_id ${previousId} is not the latest response (${store.lastId})`);
  }
  if (previous.active) errors.push(`previous response ${previousId} is still ${previous.status}`);
  const calls = previous.output.filter(
    (item) => item.type === 'computer_call' && item.status === 'completed',
  );
  for (const call of calls) {
    const callId = String(call.call_id);
    const output = outputs.find((candidate) => candidate.call_id === callId);
    if (!output) {
      errors.push(`no computer_call_output for call_id ${callId} of ${previousId}`);
      continue;
    }
    const pending = Array.isArray(call.pending_safety_checks) ? call.pending_safety_checks : [];
    const acknowledged = new Set(
      (Array.isArray(output.acknowledged_safety_checks) ? output.acknowledged_safety_checks : []).map(
        (check) => (isObject(check) ? check.id : undefined),
      ),
    );
    for (const check of pending) {
      if (isObject(check) && !acknowledged.has(check.id)) {
        errors.push(`pending safety check ${String(check.id)} of call_id ${callId} is not acknowledged`);
      }
    }
  }
  const known = new Set(calls.map((call) => String(call.call_id)));
  for (const callId of answered) {
    if (!known.has(callId))
      errors.push(`computer_call_output ${callId} answers no computer_call of ${previousId}`);
  }
}
