/**
 * `--record DIR` (and `--no-record`), as every command that writes a run record takes it. Given twice
 * (a config file's folder, then `--no-record` on the command line), yargs makes an array: the last wins.
 */
export function recordOption(describe: string) {
  return {
    type: 'string' as const,
    describe,
    coerce: (value: unknown) => (Array.isArray(value) ? value.at(-1) : value) as string | false | undefined,
  };
}
