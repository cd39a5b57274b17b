/** A local stand-in for the Lightcone and OpenAI Responses APIs, for tests, the demo and benchmarks. */
export { startModelServer } from './server.js';
export { EXHAUSTED_TURN } from './script.js';
export type {
  Dialect,
  Fault,
  HttpErrorFault,
  ImageInfo,
  JsonObject,
  ModelServer,
  ModelServerOptions,
  RecordedRequest,
  SafetyCheck,
  Script,
  ScriptContext,
  Turn,
  TurnFunction,
  UsageOverride,
} from './types.js';
