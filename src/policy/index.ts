export { PolicyError, type PolicyProblem, loadPolicyFile, parsePolicy } from './load.js';
export { DEFAULT_DENIED_CHORDS, type Decision, Policy, type TargetWindow, targetOf } from './policy.js';
export { RateLimit } from './rate.js';
export { type PolicyFile, PolicySchema } from './schema.js';
export { summarizePolicy } from './summary.js';
