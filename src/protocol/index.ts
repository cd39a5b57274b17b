/**
 * The wire formats deskhand speaks (Lightcone, both generations, and OpenAI Responses) and the one
 * canonical Action every dialect converts to. zod schemas are the single source; types are inferred.
 * Each provider's create body and turn builders are the `lightcone` and `openai` namespaces.
 */
export {
  type Action,
  type ActionProblem,
  ActionSchema,
  type ActionType,
  mapPoints,
  MouseButtonSchema,
  type MouseButton,
  type ParsedAction,
  type Point,
  PointSchema,
  pointsOf,
} from './actions.js';
export { ActionError, formatPath, ProtocolError, type ProtocolIssue } from './errors.js';
export * from './events.js';
export * from './items.js';
export * from './keys.js';
export * from './lightcone-actions.js';
export * from './openai-actions.js';
export * from './requests.js';
export * from './responses.js';
export { wireInt, wireNumber } from './wire.js';
export * as lightcone from './lightcone.js';
export * as openai from './openai.js';
