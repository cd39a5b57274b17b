export * from './errors.js';
export {
  type CancelResult,
  type ClientOptions,
  type DeleteResult,
  type Logger,
  type LogLevel,
  ResponsesClient,
} from './responses-client.js';
export { ResponseStream } from './response-stream.js';
