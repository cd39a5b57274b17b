import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DisplayProfile } from '../../calibration/index.js';
import type { ActionResult } from '../../native-adapters/input/actuator.js';
import { ResponsesClient } from '../../src/client/responses-client.js';
import { type ModelServer, type ModelServerOptions, startModelServer } from '../../src/model-server/index.js';
import type { Action } from '../../src/protocol/actions.js';
import type { RunEvent } from '../../src/session/run-events.js';
import {
  type ActionRunner,
  createSession,
  type RunResult,
  type ScreenSource,
  type Session,
  type SessionOptions,
  type Shot,
} from '../../src/session/session.js';
import { readRunRecord, RunRecord } from '../../src/trajectory/index.js';
import { plainProfile } from './profiles.js';

/**
 * The real session loop, the real client over HTTP and the local model server, with a recording
 * action runner and a synthetic screen: for the loop's own behaviour (chaining, faults, limits,
 * cancel). The end-to-end tests (tests/e2e) run the same loop against a real app on Xvfb.
 */
export class RecordingRunner implements ActionRunner {
  readonly performed: { action: Action; at: number }[] = [];
  releases = 0;
  /** Makes run() take this long (an action "running" when a test cancels). */
  delayMs = 0;

  async run(action: Action): Promise<ActionResult> {
    this.performed.push({ action, at: performance.now() });
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return { type: action.type, durationMs: this.delayMs } as ActionResult;
  }

  async releaseAll(): Promise<void> {
    this.releases++;
  }
}

/** A screen of the profile's viewport size; `still: true` keeps it identical between captures. */
export function syntheticScreen(profile: DisplayProfile, still = false): ScreenSource & { captures: number } {
  const source = {
    captures: 0,
    async capture(): Promise<Shot> {
      source.captures++;
      const shade = still ? 128 : (source.captures * 37) % 256;
      const { width, height } = profile.viewport;
      const data = await sharp({
        create: { width, height, channels: 3, background: { r: shade, g: 90, b: 40 } },
      })
        .png()
        .toBuffer();
      return { data, format: 'png', mimeType: 'image/png', width, height, settleMs: 0, captureMs: 1 };
    },
  };
  return source;
}

export interface Scripted {
  server: ModelServer;
  session: Session;
  runner: RecordingRunner;
  events: RunEvent[];
  result: Promise<RunResult>;
  recordDir: string;
  readRecord: () => ReturnType<typeof readRunRecord>;
}

export const TEST_PROFILE = plainProfile(1280, 800, 'normalized');

/** Starts the model server with a script and a session against it; collects the events. */
export async function startScripted(
  serverOptions: Partial<ModelServerOptions> & Pick<ModelServerOptions, 'script'>,
  sessionOptions: Partial<SessionOptions> & { stillScreen?: boolean } = {},
): Promise<Scripted> {
  const server = await startModelServer({ dialect: 'lightcone', ...serverOptions });
  const provider = server.dialect;
  const profile =
    sessionOptions.profile ?? (provider === 'openai' ? plainProfile(1280, 800, 'pixels') : TEST_PROFILE);
  const client = new ResponsesClient({
    baseUrl: server.url,
    retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50 },
    idleTimeoutMs: 5000,
  });
  const runner = new RecordingRunner();
  const root = mkdtempSync(join(tmpdir(), 'deskhand-run-'));
  const runId = crypto.randomUUID();
  const recorder = await RunRecord.create(root, {
    runId,
    task: 'test task',
    provider,
    model: 'test-model',
    profile,
    startedAt: new Date().toISOString(),
  });
  const { stillScreen, ...rest } = sessionOptions;
  const session = createSession({
    runId,
    task: 'test task',
    provider,
    model: provider === 'openai' ? 'computer-use-preview' : 'tzafon.northstar-cua-fast',
    client,
    actuator: runner,
    screen: syntheticScreen(profile, stillScreen),
    profile,
    recorder,
    ...rest,
  });
  const events: RunEvent[] = [];
  const collected = (async () => {
    for await (const event of session.events) events.push(event);
  })();
  const result = session.result.then(async (value) => {
    await collected;
    return value;
  });
  return {
    server,
    session,
    runner,
    events,
    result,
    recordDir: recorder.dir,
    readRecord: () => readRunRecord(recorder.dir),
  };
}
