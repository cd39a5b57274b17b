import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { act, type ActInput, actInputShape } from './act-tool.js';
import type { McpContext } from './context.js';
import { displayInfo } from './display-info-tool.js';
import { runTaskTool, type RunTaskInput, runTaskInputShape } from './run-task-tool.js';
import { coordinatesMeaning, screenshotContent } from './screenshot-tool.js';

/**
 * The MCP server of one session: four tools over one display (screenshot, act, display_info,
 * run_task). Every call is written to the session's record with how it ended; an error becomes a tool
 * result with isError and the message (what happened and what to do), never a protocol error, so the
 * model calling the tool can read it and try again.
 */
export function createMcpServer(context: McpContext, version: string): McpServer {
  const server = new McpServer(
    { name: 'deskhand', version },
    {
      instructions:
        'deskhand operates an X11 desktop: take a screenshot, then act on what it shows. ' +
        `${coordinatesMeaning(context)}. Keys held with key_down stay down until key_up or the end ` +
        "of the session. run_task hands a whole task to deskhand's own computer-use model.",
    },
  );
  server.server.oninitialized = () => {
    const client = server.server.getClientVersion();
    if (client) void context.record.clientConnected(client.name, client.version).catch(() => {});
  };

  /** Runs a tool's work with its record lines around it; a thrown error is the tool's error result. */
  const recorded = async (
    tool: string,
    args: unknown,
    work: (call: number) => Promise<CallToolResult>,
  ): Promise<CallToolResult> => {
    const began = performance.now();
    const call = await context.record.call(tool, args);
    try {
      const result = await work(call);
      const error = result.isError ? textOf(result) : undefined;
      await context.record.callEnded(call, {
        ok: !result.isError,
        durationMs: performance.now() - began,
        error,
      });
      return result;
    } catch (thrown) {
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      await context.record.callEnded(call, {
        ok: false,
        durationMs: performance.now() - began,
        error: message,
      });
      return { content: [{ type: 'text', text: message }], isError: true };
    }
  };
  const signalOf = (request: AbortSignal) => AbortSignal.any([request, context.signal]);
  const { viewport } = context.desktop.profile;

  server.registerTool(
    'screenshot',
    {
      title: 'Screenshot',
      description: `The screen as a ${viewport.width}x${viewport.height} image (JPEG unless --image-format says otherwise), taken once it has stopped changing; ${coordinatesMeaning(context)}.`,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (extra) =>
      recorded('screenshot', {}, async () => ({
        content: await screenshotContent(context, signalOf(extra.signal)),
      })),
  );

  server.registerTool(
    'act',
    {
      title: 'Act on the desktop',
      description:
        'Performs actions in order with native input, then says what happened (one JSON line each). ' +
        'Types: click, double_click, triple_click, right_click, move, mouse_down, mouse_up, drag, ' +
        'scroll, hscroll, type (exact Unicode), key/keypress (a chord), key_down/key_up (held until ' +
        'released or the session ends), wait, navigate, point_and_type, screenshot. ' +
        `${coordinatesMeaning(context)}. Every action is checked before the first runs. ` +
        'Pass screenshot: true for a fresh screenshot after them.',
      inputSchema: actInputShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    (args, extra) =>
      recorded('act', args, (call) => act(context, args as ActInput, call, signalOf(extra.signal))),
  );

  server.registerTool(
    'display_info',
    {
      title: 'Display information',
      description:
        'The display: screen size and origin, physical size and scale factor, the screenshot (viewport) size, RandR monitors, and what act coordinates mean.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      recorded('display_info', {}, async () => ({
        content: [{ type: 'text', text: JSON.stringify(displayInfo(context), null, 2) }],
      })),
  );

  server.registerTool(
    'run_task',
    {
      title: 'Run a task with deskhand',
      description:
        "Hands a whole task to deskhand's computer-use model (the provider the server was started with), " +
        'on this display, until it ends; reports progress per turn and action. Returns the answer, ' +
        'the outcome and the path of its run record. Input from other calls waits until it ends.',
      inputSchema: runTaskInputShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    (args, extra) =>
      recorded('run_task', args, (call) => runTaskTool(context, args as RunTaskInput, call, extra)),
  );
  return server;
}

function textOf(result: CallToolResult): string {
  return result.content
    .map((block) => (block.type === 'text' ? block.text : ''))
    .filter(Boolean)
    .join('\n');
}
