/**
 * Plays one scripted turn into a response: state and events together, in the order OpenAI's
 * Responses stream uses (openapi `ResponseStreamEvent`). Every change waits for the event pace first,
 * so a response stopped mid-wait holds exactly what its stream had carried.
 */
import { randomBytes } from 'node:crypto';
import { newId } from './ids.js';
import { sleep, untilAborted } from './pace.js';
import type { StoredResponse, Usage } from './responses-store.js';
import { computerTool } from './tools.js';
import type { Fault, JsonObject, SafetyCheck, Turn } from './types.js';

type PlannedItem =
  | { kind: 'reasoning'; text: string }
  | { kind: 'message'; text: string }
  | { kind: 'computer_call'; actions: JsonObject[]; safetyChecks: SafetyCheck[] }
  | { kind: 'function_call'; name: string; arguments: JsonObject };

export async function generate(response: StoredResponse, turn: Turn, fault: Fault): Promise<void> {
  try {
    await new TurnPlayer(response, turn, fault).play();
  } catch (error) {
    if (response.signal.aborted) return; // stopped: stop() already made the state final
    response.error = { code: 'server_error', message: `model server: ${String(error)}` };
    response.finish('failed', 'response.failed');
  }
}

class TurnPlayer {
  #started = false;

  constructor(
    readonly response: StoredResponse,
    readonly turn: Turn,
    readonly fault: Fault,
  ) {}

  get #signal(): AbortSignal {
    return this.response.signal;
  }

  async play(): Promise<void> {
    const { response, fault } = this;
    const snapshot = (): JsonObject => ({ response: response.snapshot() });
    await this.#step('response.created', snapshot);
    if (response.status === 'queued') {
      await this.#step('response.queued', snapshot);
      await this.#step('response.in_progress', () => {
        response.status = 'in_progress';
        return snapshot();
      });
    } else {
      await this.#step('response.in_progress', snapshot);
    }
    if (fault.unknownEvent) {
      await this.#step('response.some_future_event', () => ({
        note: 'a future event type: clients ignore it',
      }));
    }
    const hangAfter = typeof fault.hang === 'object' ? fault.hang.afterItems : undefined;
    if (fault.hang === true || hangAfter === 0) await untilAborted(this.#signal);

    const plan = this.#plan();
    let done = 0;
    for (const item of plan) {
      if (fault.errorEvent && done === 1) return this.#failWithErrorEvent();
      await this.#item(item);
      done += 1;
      if (hangAfter === done) await untilAborted(this.#signal);
    }
    if (fault.errorEvent) return this.#failWithErrorEvent();
    if (hangAfter !== undefined && hangAfter > done) await untilAborted(this.#signal);

    await sleep(fault.completedDelayMs, this.#signal);
    await this.#pace();
    response.usage = usageFor(this.turn, response.body);
    const status = this.turn.status ?? 'completed';
    if (status === 'failed') {
      response.error = this.turn.error ?? {
        code: 'server_error',
        message: 'The model failed to generate a response.',
      };
      response.finish('failed', 'response.failed');
    } else if (status === 'incomplete') {
      response.incompleteDetails = { reason: 'max_output_tokens' };
      response.finish('incomplete', 'response.incomplete');
    } else {
      response.finish('completed', 'response.completed');
    }
  }

  #plan(): PlannedItem[] {
    const { turn } = this;
    const plan: PlannedItem[] = [];
    if (turn.reasoning !== undefined) plan.push({ kind: 'reasoning', text: turn.reasoning });
    if (turn.message !== undefined) plan.push({ kind: 'message', text: turn.message });
    const actions = turn.actions ?? [];
    const groups = turn.batch ? (actions.length > 0 ? [actions] : []) : actions.map((action) => [action]);
    groups.forEach((group, index) => {
      plan.push({
        kind: 'computer_call',
        actions: group,
        safetyChecks: index === 0 ? (turn.safetyChecks ?? []) : [],
      });
    });
    for (const call of turn.functionCalls ?? []) plan.push({ kind: 'function_call', ...call });
    return plan;
  }

  async #item(item: PlannedItem): Promise<void> {
    if (item.kind === 'reasoning') return this.#reasoning(item.text);
    if (item.kind === 'message') return this.#message(item.text);
    if (item.kind === 'function_call') return this.#functionCall(item.name, item.arguments);
    return this.#computerCall(item.actions, item.safetyChecks);
  }

  /** A function_call is whole at output_item.done; its arguments stream as one delta. */
  async #functionCall(name: string, args: JsonObject): Promise<void> {
    const text = JSON.stringify(args);
    const item = {
      id: newId('fc_'),
      type: 'function_call',
      call_id: newId('call_', 12),
      name,
      arguments: '',
      status: 'in_progress',
    };
    const at = await this.#added(item);
    await this.#step('response.function_call_arguments.delta', () => ({ ...at, delta: text }));
    await this.#step('response.function_call_arguments.done', () => {
      item.arguments = text;
      return { ...at, name, arguments: text };
    });
    await this.#itemDone(item, at.output_index);
  }

  async #reasoning(text: string): Promise<void> {
    const item = { id: newId('rs_'), type: 'reasoning', summary: [] as JsonObject[], status: 'in_progress' };
    const at = await this.#added(item);
    const part = { type: 'summary_text', text: '' };
    await this.#step('response.reasoning_summary_part.added', () => {
      item.summary.push(part);
      return { ...at, summary_index: 0, part };
    });
    for (const delta of chunks(text)) {
      await this.#step('response.reasoning_summary_text.delta', () => {
        part.text += delta;
        return { ...at, summary_index: 0, delta, ...this.#obfuscation() };
      });
    }
    await this.#step('response.reasoning_summary_text.done', () => ({ ...at, summary_index: 0, text }));
    await this.#step('response.reasoning_summary_part.done', () => ({ ...at, summary_index: 0, part }));
    await this.#itemDone(item, at.output_index);
  }

  async #message(text: string): Promise<void> {
    const item = {
      id: newId('msg_'),
      type: 'message',
      status: 'in_progress',
      role: 'assistant',
      content: [] as JsonObject[],
    };
    const at = await this.#added(item);
    const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    await this.#step('response.content_part.added', () => {
      item.content.push(part);
      return { ...at, content_index: 0, part };
    });
    for (const delta of chunks(text)) {
      await this.#step('response.output_text.delta', () => {
        part.text += delta;
        return { ...at, content_index: 0, delta, logprobs: [], ...this.#obfuscation() };
      });
    }
    await this.#step('response.output_text.done', () => ({ ...at, content_index: 0, text, logprobs: [] }));
    await this.#step('response.content_part.done', () => ({ ...at, content_index: 0, part }));
    await this.#itemDone(item, at.output_index);
  }

  /** No events of its own: the call is whole in output_item.added (status in_progress) and final at
   * output_item.done, the moment a client may act on it. */
  async #computerCall(actions: JsonObject[], safetyChecks: SafetyCheck[]): Promise<void> {
    const { response } = this;
    const ga = response.dialect === 'openai' && computerTool(response.body)?.type === 'computer';
    const single = actions.length === 1 && !this.turn.batch && !ga;
    const item: JsonObject & { id: string } = {
      id: newId('cu_'),
      type: 'computer_call',
      call_id: newId('call_', 12),
      status: 'in_progress',
      ...(single ? { action: actions[0] } : { actions }),
      ...(response.dialect === 'openai' || safetyChecks.length > 0
        ? { pending_safety_checks: safetyChecks }
        : {}),
    };
    const at = await this.#added(item);
    await this.#itemDone(item, at.output_index, this.turn.callStatus);
  }

  async #added(item: JsonObject & { id: string }): Promise<{ item_id: string; output_index: number }> {
    const outputIndex = this.response.output.length;
    await this.#step('response.output_item.added', () => {
      this.response.output.push(item);
      return { output_index: outputIndex, item };
    });
    return { item_id: item.id, output_index: outputIndex };
  }

  async #itemDone(item: JsonObject, outputIndex: number, status = 'completed'): Promise<void> {
    await this.#step('response.output_item.done', () => {
      item.status = status;
      return { output_index: outputIndex, item };
    });
  }

  async #failWithErrorEvent(): Promise<void> {
    const message = 'The server had an error while processing your request.';
    await this.#step('error', () => ({ code: 'server_error', message, param: null }));
    await this.#pace();
    this.response.error = { code: 'server_error', message };
    this.response.finish('failed', 'response.failed');
  }

  /** OpenAI pads delta events with random characters (`stream_options.include_obfuscation`). */
  #obfuscation(): JsonObject {
    if (this.response.dialect !== 'openai') return {};
    return {
      obfuscation: randomBytes(8)
        .toString('base64url')
        .slice(0, 1 + (randomBytes(1)[0]! % 10)),
    };
  }

  async #pace(): Promise<void> {
    this.#signal.throwIfAborted();
    if (this.#started) await sleep(this.fault.eventDelayMs, this.#signal);
    this.#started = true;
  }

  /** Waits the pace, then applies the change `build` makes and appends its event. */
  async #step(type: string, build: () => JsonObject): Promise<void> {
    await this.#pace();
    this.response.log.push(type, build());
  }
}

/** Word-sized deltas (at most 12), each keeping its trailing space; their concatenation is `text`. */
export function chunks(text: string): string[] {
  if (text === '') return [];
  const words = text.split(/(?<=\s)(?=\S)/);
  const size = Math.ceil(words.length / 12);
  const result: string[] = [];
  for (let i = 0; i < words.length; i += size) result.push(words.slice(i, i + size).join(''));
  return result;
}

function usageFor(turn: Turn, body: JsonObject): Usage {
  const fromText = (text: string | undefined): number => Math.ceil((text?.length ?? 0) / 4);
  const reasoning = fromText(turn.reasoning);
  const estimated = reasoning + fromText(turn.message) + 24 * (turn.actions?.length ?? 0);
  const input =
    turn.usage?.input_tokens ?? estimateInputTokens(body.input) + estimateInputTokens(body.instructions);
  const output = turn.usage?.output_tokens ?? estimated;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: turn.usage?.total_tokens ?? input + output,
    reasoning_tokens: Math.min(reasoning, output),
  };
}

/** About 4 characters a token; 765 tokens an image (a 1024x768 high-detail image at OpenAI's rates). */
function estimateInputTokens(value: unknown): number {
  if (typeof value === 'string') {
    return /^(data:image\/|https?:\/\/)/.test(value) ? 765 : Math.ceil(value.length / 4);
  }
  if (Array.isArray(value)) return value.reduce((sum: number, entry) => sum + estimateInputTokens(entry), 0);
  if (typeof value === 'object' && value !== null) {
    const record = value as JsonObject;
    const image = typeof record.image_url === 'string' ? 765 : 0;
    return (
      image +
      Object.entries(record)
        .filter(([key]) => key !== 'image_url' && key !== 'type')
        .reduce((sum, [, entry]) => sum + estimateInputTokens(entry), 0)
    );
  }
  return 0;
}
