export { REDACTED, redactor } from './redact.js';
export {
  defaultRecordRoot,
  RunRecord,
  type RunJson,
  type RunMeta,
  readRunRecord,
  type RunStatus,
} from './run-record.js';
export { prepareRecordRoot, RecordRootError } from './record-root.js';
