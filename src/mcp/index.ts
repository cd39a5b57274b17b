/** deskhand as an MCP server: screenshot, act, display_info and run_task over one display. */
export type { McpContext, RunTaskSettings } from './context.js';
export { createMcpServer } from './server.js';
export { type McpSession, type McpSessionOptions, type SessionEnd, startMcpSession } from './session.js';
