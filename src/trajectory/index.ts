export { REDACTED, redactor } from './redact.js';
export {
  defaultRecordRoot,
  RunRecord,
  type RunMeta,
  readRunRecord,
  type RunStatus,
  type ScreenshotInfo,
} from './run-record.js';
export { prepareRecordRoot, RecordRootError } from './record-root.js';
export {
  parseRecordLine,
  parseRunJson,
  RECORD_FORMAT_VERSION,
  RecordFormatError,
  type RecordLine,
  type RecordLineOf,
  RecordLineSchema,
  RecordLineSchemas,
  type RecordLineType,
  type RunJson,
  RunJsonSchema,
} from './schema.js';
