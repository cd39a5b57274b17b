// A library user's script, as the README shows it: runTask with a task, a display and a local server.
// Prints each event's type; exits with the run's exit code. argv: DIST_INDEX BASE_URL DISPLAY RECORD
const [index, baseUrl, display, record] = process.argv.slice(2);
const { runTask } = await import(index);
const result = await runTask({
  task: 'Hold Shift and wait',
  baseUrl,
  display,
  record,
  onEvent: (event) => process.stdout.write(`${event.type}\n`),
});
process.exit(result.exitCode);
