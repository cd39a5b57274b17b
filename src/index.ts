/**
 * deskhand as a library. `runTask` runs a task as the CLI does (display, record, held input released
 * on every way out, signals, defaults); below it, the agent loop (createSession) and the machine side
 * it drives (openDesktop), the Responses client, the display calibration, the run record, and the
 * local model server.
 * The CLI (src/cli) is a thin consumer of these.
 */
export { type CoordSetting, createProfile, type DisplayProfile } from '../calibration/index.js';
export { ResponsesClient, type ClientOptions } from './client/index.js';
export { clientFor, PROVIDERS, type Provider } from './client/providers.js';
export { type RunHandle, runTask, type RunTaskOptions, startRun } from './session/run-task.js';
export { startModelServer, type ModelServer, type Turn } from './model-server/index.js';
export type { Outcome, RunEvent, Usage } from './session/run-events.js';
export { type Desktop, type DesktopOptions, openDesktop } from './session/desktop.js';
export {
  type ActionRunner,
  createSession,
  type RunResult,
  type ScreenSource,
  type Session,
  type SessionOptions,
  type Shot,
} from './session/session.js';
export {
  defaultRecordRoot,
  parseRecordLine,
  parseRunJson,
  RECORD_FORMAT_VERSION,
  RecordFormatError,
  type RecordLine,
  RecordLineSchema,
  RecordLineSchemas,
  type RunJson,
  RunJsonSchema,
  readRunRecord,
  RunRecord,
} from './trajectory/index.js';
export { replayTask, type ReplayTaskOptions, type ReplayTaskResult } from './replay/run-replay.js';
export { type Script, scriptFromRecord } from './replay/script.js';
export { loadPolicyFile, Policy, PolicyError, type PolicyFile } from './policy/index.js';
