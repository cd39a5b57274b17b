import type { RunEvent } from '../session/run-events.js';
import { plural } from '../session/describe.js';
import type { TextOut } from './output.js';

/**
 * How `deskhand run` shows a run. The final answer goes alone to stdout (so `answer=$(deskhand run ...)`
 * works); progress goes to stderr:
 *   tty    a line per step, the reasoning summary updating in place as it streams, colours
 *   plain  the same lines without colours or in-place updates (logs, CI, cron)
 *   json   every run event as one JSON line on stdout, `run.finished` last (RPA jobs); nothing on stderr
 */
export type OutputMode = 'tty' | 'plain' | 'json';

export interface PrinterOptions {
  mode: OutputMode;
  stdout: TextOut;
  stderr: TextOut;
  color?: boolean;
  /** json: include reasoning deltas; tty/plain: screenshot lines too. */
  verbose?: boolean;
}

export interface RunPrinter {
  print(event: RunEvent): void;
  close(): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * The most of one model text (reasoning, message, warning) a line shows, and a JSON event carries: a
 * model or a server can send megabytes, and a terminal or a log is no place for them.
 */
export const MAX_LINE_TEXT = 2000;
export const MAX_JSON_TEXT = 64 * 1024;

/** The text cut to `max` characters, saying how much was left out. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${(text.length - max).toLocaleString('en-US')} more characters]`;
}

/** The event with its long text fields cut (see MAX_JSON_TEXT). */
function boundedEvent(event: RunEvent): RunEvent {
  const record = event as unknown as Record<string, unknown>;
  const long = ['text', 'message', 'delta', 'result', 'error'].filter(
    (field) => typeof record[field] === 'string' && (record[field] as string).length > MAX_JSON_TEXT,
  );
  if (long.length === 0) return event;
  const copy: Record<string, unknown> = { ...record, truncated: long };
  for (const field of long) copy[field] = bounded(record[field] as string, MAX_JSON_TEXT);
  return copy as unknown as RunEvent;
}

export function createRunPrinter(options: PrinterOptions): RunPrinter {
  if (options.mode === 'json') return jsonPrinter(options);
  return linePrinter(options);
}

function jsonPrinter({ stdout, verbose }: PrinterOptions): RunPrinter {
  return {
    print(event) {
      if (event.type === 'reasoning.delta' && !verbose) return;
      stdout.write(`${JSON.stringify(boundedEvent(event))}\n`);
    },
    close() {},
  };
}

function linePrinter({ mode, stdout, stderr, color = false, verbose = false }: PrinterOptions): RunPrinter {
  const live = mode === 'tty';
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const dim = (text: string) => paint('2', text);
  let thinking = '';
  let tokens = 0;
  let liveLine = false;

  const clearLive = () => {
    if (liveLine) stderr.write('\r\x1b[K');
    liveLine = false;
  };
  const line = (text: string) => {
    clearLive();
    stderr.write(`${bounded(text, MAX_LINE_TEXT)}\n`);
  };
  const stamp = (at: number) => dim(`${seconds(at).padStart(6)} `);
  const width = () => Math.max(40, (stderr.columns ?? 100) - 2);

  return {
    print(event) {
      switch (event.type) {
        case 'run.started':
          line(
            `${stamp(event.at)}${paint('1', 'task')} ${event.task} ${dim(`(${event.provider} ${event.model}${event.display ? `, display ${event.display}` : ''})`)}`,
          );
          break;
        case 'turn.started':
          thinking = '';
          // Until the model's first word: a person watching should know what the run waits for.
          if (live) {
            stderr.write(`\r\x1b[K${dim(`  turn ${event.turn}: waiting for the model…`)}`);
            liveLine = true;
          } else if (verbose) line(`${stamp(event.at)}${dim(`turn ${event.turn}: waiting for the model`)}`);
          break;
        case 'reasoning.delta':
          // Only the tail is ever shown: keep no more of it than a line can hold.
          thinking = (thinking + event.delta).slice(-MAX_LINE_TEXT);
          if (live) {
            const text = thinking.replace(/\s+/g, ' ').trim();
            const shown = text.length > width() - 12 ? `…${text.slice(-(width() - 13))}` : text;
            stderr.write(`\r\x1b[K${dim(`  thinking: ${shown}`)}`);
            liveLine = true;
          }
          break;
        case 'reasoning':
          line(`${stamp(event.at)}${dim(`thinking: ${event.text.replace(/\s+/g, ' ').trim()}`)}`);
          break;
        case 'message':
          line(`${stamp(event.at)}model: ${event.text}`);
          break;
        case 'action.started': {
          const dry = event.dryRun ? dim(' (dry run)') : '';
          const used = tokens > 0 ? dim(`  ${tokens.toLocaleString('en-US')} tokens`) : '';
          line(`${stamp(event.at)}${paint('36', `action ${event.step}`)} ${event.description}${dry}${used}`);
          break;
        }
        case 'action.finished':
          if (!event.ok) line(`${stamp(event.at)}${paint('31', 'failed')} ${event.error ?? ''}`);
          break;
        case 'action.rejected':
          line(`${stamp(event.at)}${paint('33', 'rejected')} ${event.message}`);
          break;
        case 'screenshot':
          if (verbose) {
            line(
              `${stamp(event.at)}${dim(`screenshot ${event.width}x${event.height} ${Math.round(event.bytes / 1024)} KB, settled in ${Math.round(event.settleMs)} ms`)}`,
            );
          }
          break;
        case 'safety_check':
          line(
            `${stamp(event.at)}${paint('33', 'safety check')} ${event.checks.map((c) => c.message ?? c.code ?? c.id).join('; ')}: ${event.approved ? 'approved' : 'not approved'}`,
          );
          break;
        case 'takeover.started':
          line(`${stamp(event.at)}${paint('33', event.message)} ${dim(`(resumes ${event.resumes})`)}`);
          break;
        case 'takeover.ended':
          line(
            `${stamp(event.at)}${paint('33', 'resumed')} ${dim(`after ${seconds(event.pausedMs)} paused`)}`,
          );
          break;
        case 'policy.confirm':
          line(
            `${stamp(event.at)}${paint('33', 'policy')} ${event.question}: ${event.approved ? 'allowed' : 'not allowed'}`,
          );
          break;
        case 'nudge':
          line(`${stamp(event.at)}${paint('33', 'nudge')} ${event.message}`);
          break;
        case 'usage':
          tokens = event.total.total_tokens;
          break;
        case 'server.cancel':
          line(
            `${stamp(event.at)}${dim(`the server's answer to the cancel of ${event.responseId}: ${event.outcome.replace(/_/g, ' ')}`)}`,
          );
          break;
        case 'warning':
          line(`${stamp(event.at)}${paint('33', 'warning')} ${event.message}`);
          break;
        case 'run.finished': {
          const colour = event.outcome === 'success' ? '32' : '31';
          const used = (tokens || event.usage.total_tokens).toLocaleString('en-US');
          const counts = `${plural(event.steps, 'action')}, ${plural(event.turns, 'turn')}, ${used} tokens, ${seconds(event.durationMs)}`;
          // "cancelled (SIGINT)" already names the outcome: do not say it twice.
          const said = event.message?.startsWith(event.outcome)
            ? event.message
            : `${event.outcome}${event.message ? ` ${event.message}` : ''}`;
          line(`${stamp(event.at)}${paint(colour, said)} ${dim(`(${counts}, exit ${event.exitCode})`)}`);
          if (event.result) stdout.write(`${event.result}\n`);
          break;
        }
        default:
          break;
      }
    },
    close() {
      clearLive();
    },
  };
}
