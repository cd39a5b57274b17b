import type { ResponsesClient } from '../client/responses-client.js';
import type { Desktop } from '../session/desktop.js';
import type { RunHandle, RunTaskOptions } from '../session/run-task.js';
import type { DisplayGate } from './display-gate.js';
import type { SessionRecord } from './session-record.js';

/** What every tool of one MCP session works with. */
export interface McpContext {
  /** The display, its profile (viewport and the client's coordinate mode), input and capture. */
  desktop: Desktop;
  record: SessionRecord;
  gate: DisplayGate;
  /** Aborted when the session ends: calls in flight stop between events. */
  signal: AbortSignal;
  runTask: RunTaskSettings;
  /** The runs of run_task in progress, for the session's end to stop them. */
  runs: Set<RunHandle>;
}

/** How run_task starts a run: the server's provider options, and the client built when first needed. */
export interface RunTaskSettings {
  /** Options of every run (provider, model, limits, record root, safety checks). */
  options: Omit<RunTaskOptions, 'task' | 'desktop' | 'client'>;
  /** The Responses client; throws (no API key, a bad URL) with what to fix. */
  client(): ResponsesClient;
}
