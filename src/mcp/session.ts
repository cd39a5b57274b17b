import type { ChildProcess } from 'node:child_process';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CoordMode } from '../../calibration/index.js';
import type { ImageFormat } from '../../native-adapters/capture/capturer.js';
import { type Desktop, openDesktop } from '../session/desktop.js';
import { startProgram } from '../session/start-program.js';
import type { RunHandle } from '../session/run-task.js';
import type { McpContext, RunTaskSettings } from './context.js';
import { DisplayGate } from './display-gate.js';
import { createMcpServer } from './server.js';
import { type SessionEnding, SessionRecord } from './session-record.js';

export interface McpSessionOptions {
  /** An X display (`:N`), default $DISPLAY; or a private Xvfb of this size. */
  display?: string;
  xvfb?: { width: number; height: number };
  /** A program (shell command line) started on the display before the first call, stopped at the end. */
  startProgram?: string;
  /** What the client's coordinates mean: pixels of the screenshot, or the 0-999 grid over it. */
  coords: CoordMode;
  maxEdge?: number;
  imageFormat?: ImageFormat;
  imageQuality?: number;
  scaleFactor?: number;
  monitor?: string;
  pixelsPerNotch?: number;
  waitForDisplayMs?: number;
  /** Root of the run records (the session's and run_task's); undefined: none. */
  recordRoot: string | undefined;
  runTask: RunTaskSettings;
  /** Strings never to write (the API key). */
  secrets: string[];
  version: string;
}

/** Why a session ends, and what its record and exit code say. */
export type SessionEnd =
  | { reason: 'disconnected' }
  | { reason: 'signal'; signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP'; exitCode: number }
  | { reason: 'output-closed'; message: string }
  | { reason: 'display-lost'; message: string };

export interface McpSession {
  server: McpServer;
  desktop: Desktop;
  recordDir: string | undefined;
  /**
   * Ends the session: calls in flight stopped, a run_task cancelled (its record closed), held input
   * released, the record closed, the display let go. Resolves with the exit code; a second call while
   * ending closes the record at once and resolves with the same code.
   */
  end(how: SessionEnd): Promise<number>;
}

function endingOf(how: SessionEnd): SessionEnding {
  switch (how.reason) {
    case 'disconnected':
      return { outcome: 'success', exitCode: 0, message: 'the MCP client disconnected' };
    case 'signal':
      return { outcome: 'cancelled', exitCode: how.exitCode, message: `stopped by ${how.signal}` };
    case 'output-closed':
      return { outcome: 'cancelled', exitCode: 141, message: `stopped: ${how.message}` };
    case 'display-lost':
      return { outcome: 'display_lost', exitCode: 4, message: how.message };
  }
}

/** Opens the display and the record, and builds the server; connect it to a transport to serve. */
export async function startMcpSession(options: McpSessionOptions): Promise<McpSession> {
  const desktop = await openDesktop({
    command: 'mcp',
    display: options.display,
    xvfb: options.xvfb,
    // The client's coordinate mode decides the profile; run_task sets its model's own (run-task.ts).
    provider: 'lightcone',
    coords: options.coords,
    maxEdge: options.maxEdge,
    imageFormat: options.imageFormat,
    imageQuality: options.imageQuality,
    scaleFactor: options.scaleFactor,
    monitor: options.monitor,
    pixelsPerNotch: options.pixelsPerNotch,
    waitForDisplayMs: options.waitForDisplayMs,
  });
  let program: ChildProcess | undefined;
  let record: SessionRecord;
  try {
    program =
      options.startProgram && desktop.displayName
        ? await startProgram(options.startProgram, desktop.displayName)
        : undefined;
    record = await SessionRecord.create(options.recordRoot, {
      runId: crypto.randomUUID(),
      profile: desktop.profile,
      displayName: desktop.displayName,
      secrets: options.secrets,
    });
  } catch (error) {
    program?.kill();
    await desktop.close();
    throw error;
  }
  const stopCalls = new AbortController();
  const runs = new Set<RunHandle>();
  const context: McpContext = {
    desktop,
    record,
    gate: new DisplayGate(),
    signal: stopCalls.signal,
    runTask: options.runTask,
    runs,
  };
  const server = createMcpServer(context, options.version);

  let ending: Promise<number> | undefined;
  const end = (how: SessionEnd): Promise<number> => {
    const summary = endingOf(how);
    if (ending) {
      // A second signal: no more waiting; the record closed synchronously, like a run's.
      if (how.reason === 'signal') {
        try {
          record.finishNow({ ...summary, message: `${summary.message} (a second signal, not waiting)` });
        } catch {
          // the process ends now either way
        }
        return Promise.resolve(summary.exitCode);
      }
      return ending;
    }
    ending = (async () => {
      stopCalls.abort();
      for (const run of runs) run.stop('user', `cancelled (the MCP session ended: ${summary.message})`);
      await within(3000, Promise.all([...runs].map((run) => run.result)));
      if (how.reason !== 'display-lost')
        await within(
          1000,
          desktop.runner.releaseAll().catch(() => {}),
        );
      await record.finish(summary).catch(() => {});
      await server.close().catch(() => {});
      program?.kill();
      await within(
        2000,
        desktop.close().catch(() => {}),
      );
      return summary.exitCode;
    })();
    return ending;
  };
  return { server, desktop, recordDir: record.dir, end };
}

/** Waits for `work`, but at most `ms`: an ending must not hang on a stuck X server or model server. */
function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}
