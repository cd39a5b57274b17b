import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { type PolicyFile, PolicySchema } from './schema.js';

/** One thing wrong with a policy file, where it is. */
export interface PolicyProblem {
  line: number;
  column: number;
  /** The field, as a path: `windows.deny[0].class`. */
  field: string;
  message: string;
}

/** A policy file that cannot be used: the message names the file, the line and the field of each problem. */
export class PolicyError extends Error {
  override name = 'PolicyError';

  constructor(
    readonly file: string,
    readonly problems: PolicyProblem[],
    summary?: string,
  ) {
    super(
      summary ??
        `policy file ${file} is not valid:\n` +
          problems
            .map((p) => `  ${file}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ''}${p.message}`)
            .join('\n'),
    );
  }
}

/** Reads and checks a policy file (YAML, or JSON, which is YAML too). */
export function loadPolicyFile(file: string): PolicyFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyError(
      file,
      [],
      `policy file ${file}: cannot read it (${code}); check the path given to --policy`,
    );
  }
  return parsePolicy(text, file);
}

export function parsePolicy(text: string, file: string): PolicyFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      doc.errors.map((error) => {
        const at = lines.linePos(error.pos[0]);
        return { line: at.line, column: at.col, field: '', message: error.message.split('\n')[0] ?? '' };
      }),
    );
  }
  const value = (doc.toJS() ?? {}) as unknown;
  const parsed = PolicySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new PolicyError(
    file,
    parsed.error.issues.flatMap((issue) => problemsOf(issue, doc, lines)),
  );
}

function problemsOf(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): PolicyProblem[] {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const at = lines.linePos(keyOffset(doc, path, key));
      return {
        line: at.line,
        column: at.col,
        field: fieldName([...path, key]),
        message: `unknown field (expected ${fieldsAt(path).join(', ')})`,
      };
    });
  }
  const at = lines.linePos(valueOffset(doc, path));
  return [{ line: at.line, column: at.col, field: fieldName(path), message: issue.message }];
}

/** Where the value at `path` starts, or its nearest existing parent. */
function valueOffset(doc: Document, path: (string | number)[]): number {
  for (let length = path.length; length >= 0; length--) {
    const node = doc.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return 0;
}

function keyOffset(doc: Document, path: (string | number)[], key: string): number {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === key && pair.key.range)
        return pair.key.range[0];
    }
  }
  return valueOffset(doc, path);
}

/** The fields a policy object takes at `path` (list indices ignored). */
function fieldsAt(path: (string | number)[]): string[] {
  const where = path.filter((part) => typeof part === 'string').join('.');
  const fields: Record<string, string[]> = {
    '': ['windows', 'keys', 'navigate', 'confirm', 'rate'],
    windows: ['allow', 'deny'],
    'windows.allow': ['class', 'title'],
    'windows.deny': ['class', 'title'],
    'confirm.window': ['class', 'title'],
    keys: ['deny', 'defaultDeny', 'maxTypeLength'],
    navigate: ['allow', 'deny', 'allowDomains', 'denyDomains'],
    confirm: ['action', 'text', 'window', 'message'],
    rate: ['actionsPerMinute'],
  };
  return fields[where] ?? [];
}

function fieldName(path: (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}
