import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RunEvent } from '../session/run-events.js';
import { startRun } from '../session/run-task.js';
import type { McpContext } from './context.js';

export const runTaskInputShape = {
  task: z.string().min(1).describe('what to do, in words, e.g. "Open the settings and turn on dark mode"'),
  maxTurns: z.number().int().min(1).max(1000).optional().describe('model requests before stopping'),
  requireDone: z
    .boolean()
    .optional()
    .describe('succeed only when the model says the task is done, not on a bare message'),
  instructions: z.string().optional().describe('system instructions for the model'),
};

export interface RunTaskInput {
  task: string;
  maxTurns?: number;
  requireDone?: boolean;
  instructions?: string;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A run event worth a progress line: a turn sent to the model, an action, a warning. */
function progressMessage(event: RunEvent): string | undefined {
  if (event.type === 'turn.started') return `turn ${event.turn}: asking the model`;
  if (event.type === 'action.started') return `step ${event.step}: ${event.description}`;
  if (event.type === 'warning') return `warning: ${event.message}`;
  return undefined;
}

/**
 * A whole `deskhand run` on the server's display, with the configured provider: its own run record,
 * a progress notification per turn and action (when the client asked for progress), cancelled with
 * the call. Returns the answer and the record's path.
 */
export async function runTaskTool(
  context: McpContext,
  input: RunTaskInput,
  call: number,
  extra: Extra,
): Promise<CallToolResult> {
  const client = context.runTask.client();
  return context.gate.use('run_task', async () => {
    const run = await startRun({
      ...context.runTask.options,
      ...(input.maxTurns !== undefined ? { maxTurns: input.maxTurns } : {}),
      ...(input.requireDone !== undefined ? { requireDone: input.requireDone } : {}),
      ...(input.instructions !== undefined ? { instructions: input.instructions } : {}),
      task: input.task,
      client,
      desktop: context.desktop,
    });
    context.runs.add(run);
    await context.record.note({ type: 'run_task.started', call, runId: run.runId, recordDir: run.recordDir });
    const stopOnCancel = () => run.stop('user', 'cancelled (the MCP client cancelled the call)');
    extra.signal.addEventListener('abort', stopOnCancel, { once: true });
    const token = extra._meta?.progressToken;
    let progress = 0;
    try {
      for await (const event of run.events) {
        const message = progressMessage(event);
        if (message === undefined || token === undefined) continue;
        await extra
          .sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: ++progress, message },
          })
          .catch(() => {});
      }
      const result = await run.result;
      const summary = {
        outcome: result.outcome,
        exitCode: result.exitCode,
        answer: result.result,
        message: result.message,
        steps: result.steps,
        turns: result.turns,
        tokens: result.usage.total_tokens,
        runId: run.runId,
        record: run.recordDir,
      };
      await context.record.note({ type: 'run_task.finished', call, ...summary });
      const headline = result.result ?? result.message ?? result.outcome;
      return {
        content: [
          { type: 'text', text: headline },
          { type: 'text', text: JSON.stringify(summary) },
        ],
        ...(result.exitCode === 0 ? {} : { isError: true }),
      };
    } finally {
      extra.signal.removeEventListener('abort', stopOnCancel);
      context.runs.delete(run);
    }
  });
}
