import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { defaultRecordRoot } from './record-root.js';
import { redactor } from './redact.js';
import {
  parseRecordLine,
  parseRunJson,
  RECORD_FORMAT_VERSION,
  RecordFormatError,
  type RunJson,
} from './schema.js';

/**
 * The run record: one folder per run, written as the run goes.
 *
 *   run.json        what was asked and how it ended (rewritten atomically: temp file + rename)
 *   steps.jsonl     one line per event worth keeping (actions, requests, screenshots, warnings, what
 *                   the model said), fsynced before the run goes on; the last line is the ending
 *                   ({"type":"end","outcome":...})
 *   screenshots/    the screenshots sent to the model, turn-000.png, turn-001.png, ...
 *
 * The format is versioned and written down as zod schemas in schema.ts (docs/record-format.md).
 *
 * The folder is 0700 and every file 0600: screenshots show whatever was on the screen. Each action has
 * a line before it starts ("action.started") and one after ("action"). A run killed with SIGKILL
 * leaves run.json saying "running" and steps.jsonl complete up to the action in flight.
 * Secrets given to the record (API keys, typed secrets) are replaced by "[redacted]" in everything it
 * writes.
 */
export interface RunMeta {
  runId: string;
  task: string;
  provider: string;
  model: string;
  profile: unknown;
  startedAt: string;
  options?: Record<string, unknown>;
  /** Strings that must never be written (API key, secret values). */
  secrets?: string[];
}

export type RunStatus = RunJson['status'];

/** What a screenshot line records besides the file (see schema.ts). */
export interface ScreenshotInfo {
  at?: number;
  width?: number;
  height?: number;
  settleMs?: number;
  captureMs?: number;
  totalMs?: number;
}

export { defaultRecordRoot };

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export class RunRecord {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly meta: RunJson,
    private readonly redact: (text: string) => string,
  ) {}

  /** Creates the run's folder under `root` and writes run.json ("running") and an empty steps.jsonl. */
  static async create(root: string, meta: RunMeta): Promise<RunRecord> {
    const stamp = meta.startedAt.replace(/[:.]/g, '-');
    const dir = join(root, `${stamp}-${meta.runId.slice(0, 8)}`);
    await mkdir(join(dir, 'screenshots'), { recursive: true, mode: DIR_MODE });
    const { secrets, ...rest } = meta;
    const run: RunJson = {
      formatVersion: RECORD_FORMAT_VERSION,
      ...rest,
      pid: process.pid,
      host: hostname(),
      status: 'running',
    };
    const record = new RunRecord(dir, run, redactor(secrets ?? []));
    await record.writeRunJson(record.meta);
    await writeDurably(join(dir, 'steps.jsonl'), '', 'a');
    return record;
  }

  /**
   * Saves a screenshot sent to the model; returns its path. With `info` (what the session measured),
   * a `screenshot` line names the file with its timings.
   */
  screenshot(
    turn: number,
    data: Buffer,
    format: 'png' | 'jpeg' | 'webp',
    info?: ScreenshotInfo,
  ): Promise<string> {
    const file = `screenshots/turn-${String(turn).padStart(3, '0')}.${format === 'jpeg' ? 'jpg' : format}`;
    const path = join(this.dir, file);
    return this.serial(async () => {
      await writeDurably(path, data, 'w');
      if (info) {
        const line = { type: 'screenshot', at: info.at, turn, file, bytes: data.length, ...info };
        await writeDurably(join(this.dir, 'steps.jsonl'), `${JSON.stringify(line)}\n`, 'a');
      }
      return path;
    });
  }

  /** Appends one line to steps.jsonl and waits until it is on disk. */
  step(entry: Record<string, unknown>): Promise<void> {
    return this.serial(async () => {
      await writeDurably(join(this.dir, 'steps.jsonl'), `${this.redact(JSON.stringify(entry))}\n`, 'a');
    });
  }

  /** Writes the ending: a last line in steps.jsonl and run.json with the outcome. */
  finish(summary: Record<string, unknown>): Promise<void> {
    return this.serial(async () => {
      await writeDurably(
        join(this.dir, 'steps.jsonl'),
        `${this.redact(JSON.stringify({ type: 'end', ...summary }))}\n`,
        'a',
      );
      await this.writeRunJson({ ...this.meta, ...summary, status: 'finished' });
    });
  }

  /**
   * The ending, written synchronously now, for a process about to exit without waiting (a second
   * Ctrl+C). Writes queued before it may be lost; the record is closed either way.
   */
  finishNow(summary: Record<string, unknown>): void {
    const end = `${this.redact(JSON.stringify({ type: 'end', ...summary }))}\n`;
    writeDurablyNow(join(this.dir, 'steps.jsonl'), end, 'a');
    const path = join(this.dir, 'run.json');
    // Its own temp file: an asynchronous rewrite may be half done with run.json.tmp.
    const run = { ...this.meta, ...summary, status: 'finished' };
    writeDurablyNow(`${path}.final`, `${this.redact(JSON.stringify(run, null, 2))}\n`, 'w');
    renameSync(`${path}.final`, path);
  }

  private async writeRunJson(content: RunJson | Record<string, unknown>): Promise<void> {
    const path = join(this.dir, 'run.json');
    await writeDurably(`${path}.tmp`, `${this.redact(JSON.stringify(content, null, 2))}\n`, 'w');
    await rename(`${path}.tmp`, path);
  }

  /** Writes happen one at a time, in the order they were asked for. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }
}

async function writeDurably(path: string, data: string | Buffer, flag: 'a' | 'w'): Promise<void> {
  const handle = await open(path, flag, FILE_MODE);
  try {
    if (data.length > 0) await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function writeDurablyNow(path: string, data: string, flag: 'a' | 'w'): void {
  const fd = openSync(path, flag, FILE_MODE);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a run record back, checked against the format (schema.ts): a RecordFormatError names the file,
 * the line and the field. A torn last line (the process died mid-write, or is writing it now) is left out.
 */
export async function readRunRecord(
  dir: string,
): Promise<{ run: RunJson; steps: Record<string, unknown>[] }> {
  const runPath = join(dir, 'run.json');
  let runValue: unknown;
  try {
    runValue = JSON.parse(await readFile(runPath, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new RecordFormatError(`${runPath} is not JSON: ${error.message}`);
    throw error;
  }
  const run = parseRunJson(runValue, runPath);
  const steps: Record<string, unknown>[] = [];
  const stepsPath = join(dir, 'steps.jsonl');
  const lines = (await readFile(stepsPath, 'utf8')).split('\n');
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      break;
    }
    steps.push(parseRecordLine(value, `${stepsPath} line ${index + 1}`));
  }
  return { run, steps };
}
