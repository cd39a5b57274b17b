import { randomBytes } from 'node:crypto';

/** OpenAI-looking ids: `resp_`, `rs_`, `msg_`, `cu_` + 48 hex digits, `call_` + 24. */
export function newId(prefix: string, bytes = 24): string {
  return prefix + randomBytes(bytes).toString('hex');
}
