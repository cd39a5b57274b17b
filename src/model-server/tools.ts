import type { JsonObject } from './types.js';

/** Lightcone: `computer_use` (newer schema also `computer_use_preview`); OpenAI: `computer_use_preview`
 * (preview, one `action` per call) or `computer` (GA, a batch of `actions` per call). */
const COMPUTER_TOOL_TYPES = new Set(['computer_use', 'computer_use_preview', 'computer']);

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first computer tool of a create body. */
export function computerTool(body: JsonObject): JsonObject | undefined {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return tools.find(
    (tool): tool is JsonObject => isObject(tool) && COMPUTER_TOOL_TYPES.has(String(tool.type)),
  );
}
