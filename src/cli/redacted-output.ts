/**
 * The last line of defence for secrets: every byte deskhand writes to stdout and stderr passes through
 * here, and each known secret (the API key, `--secret` values) is replaced, whatever path the text took
 * (a server's error echoing the key, the model's reasoning, an action's key name, a crash message).
 * The same redactor as the run record's (src/trajectory/redact.ts).
 */
import { redactor } from '../trajectory/redact.js';

const secrets = new Set<string>();
let redact: (text: string) => string = (text) => text;
let installed = false;

/** Adds secrets to hide from now on (the record's redactor: escaped forms too, none under 4 characters). */
export function protectSecrets(values: Iterable<string | undefined>): void {
  for (const value of values) if (value) secrets.add(value);
  redact = redactor([...secrets]);
}

/** Replaces every protected secret in the text. */
export function redactSecrets(text: string): string {
  return redact(text);
}

/** Wraps process.stdout.write and process.stderr.write once for the life of the process. */
export function redactProcessOutput(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (secrets.size === 0) return write(chunk, ...rest);
      const text =
        typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
      return write(text === undefined ? chunk : redactSecrets(text), ...rest);
    }) as typeof stream.write;
  }
}

/** The API keys a command line or the environment may hold, known before any option is parsed. */
export function apiKeysIn(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const keys = [env.TZAFON_API_KEY, env.OPENAI_API_KEY, env.DESKHAND_API_KEY];
  argv.forEach((arg, index) => {
    if (arg === '--api-key') keys.push(argv[index + 1]);
    else if (arg.startsWith('--api-key=')) keys.push(arg.slice('--api-key='.length));
  });
  return keys.filter((key): key is string => Boolean(key));
}
