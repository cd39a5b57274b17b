import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { startXvfb } from '../../native-adapters/x11/xvfb.js';
import { NOTES_LAYOUT } from '../demo/layout.js';
import type { NotesState } from '../demo/notes-app.js';
import { startModelServer, type Turn } from '../model-server/index.js';
import { stderr, stdout } from './output.js';
import { parseXvfbSize, runTask, waitForDisplayOption } from './run.js';
import { recordOption } from './record-option.js';

/**
 * `deskhand demo`: the whole product on a fresh machine, without a model or an API key. A private
 * virtual display, the demo notes app on it, the local model server playing a scripted Lightcone run
 * (streaming, normalized 0-999 coordinates), and the real loop of `deskhand run` in between. Then the
 * app's own state is checked against what the script asked for.
 */
export const DEMO_TASK =
  'Write a note titled with a shopping list, save it, switch to dark mode and scroll the items';

export const DEMO_TITLE = 'Shopping: café, crème brûlée & 日本茶 ✓';
export const DEMO_NOTES = 'Buy milk (2L) + eggs!\nCall Zoë @ 5pm: "#42" {ok?}';

const at = (widget: keyof typeof NOTES_LAYOUT) => ({
  x: NOTES_LAYOUT[widget][0],
  y: NOTES_LAYOUT[widget][1],
});

/** The model's side of the demo, in the Lightcone wire shape. */
export const DEMO_SCRIPT: Turn[] = [
  {
    reasoning: 'The title field is empty. I will click it first.',
    actions: [{ type: 'click', ...at('title') }],
  },
  {
    reasoning: 'The title field has focus; typing the title.',
    actions: [{ type: 'type', text: DEMO_TITLE }],
  },
  {
    reasoning: 'Now the note itself: click the notes area and type two lines.',
    actions: [
      { type: 'click', ...at('notes') },
      { type: 'type', text: DEMO_NOTES },
    ],
  },
  { reasoning: 'Saving with Ctrl+S.', actions: [{ type: 'key', keys: ['ctrl', 's'] }] },
  {
    reasoning: 'Dark mode is a checkbox at the top right; then scroll the items list down.',
    actions: [
      { type: 'click', ...at('dark') },
      { type: 'scroll', ...at('items'), scroll_y: 500 },
    ],
  },
  {
    reasoning: 'Everything is done.',
    actions: [
      {
        type: 'terminate',
        status: 'success',
        result: 'Saved the note, turned on dark mode and scrolled the items.',
      },
    ],
  },
];

export interface DemoCheck {
  what: string;
  ok: boolean;
  got: unknown;
}

/** What the app must show after the scripted run. */
export function checkDemoState(state: NotesState): DemoCheck[] {
  return [
    { what: 'title typed exactly', ok: state.title === DEMO_TITLE, got: state.title },
    { what: 'notes typed exactly (two lines)', ok: state.notes === DEMO_NOTES, got: state.notes },
    {
      what: 'Ctrl+S saved both',
      ok: state.saved?.title === DEMO_TITLE && state.saved.notes === DEMO_NOTES,
      got: state.saved,
    },
    { what: 'dark mode on', ok: state.dark, got: state.dark },
    { what: 'items list scrolled down', ok: state.itemsTop > 0, got: state.itemsTop },
    { what: 'no key left held', ok: state.held.length === 0, got: state.held },
  ];
}

interface DemoArgs {
  display?: string;
  size: string;
  record?: string | false;
  json: boolean;
  pace: number;
  waitForDisplay: number;
}

async function runDemo(args: DemoArgs): Promise<number> {
  const size = parseXvfbSize(args.size) ?? { width: 1280, height: 800 };
  const xvfb = args.display ? undefined : await startXvfb({ ...size, stopAfterProcessExit: true });
  const display = args.display ?? (xvfb?.name as string);
  const log = (line: string) => stderr.write(`${line}\n`);
  log(
    `demo: ${xvfb ? `private virtual display ${display} (${size.width}x${size.height})` : `your display ${display}`}, the notes app, a local model server`,
  );
  // Loaded here, not at the top: the app's message schemas (zod) take a while to load.
  const { NotesApp } = await import('../demo/notes-app.js');
  const app = await NotesApp.start(display);
  const server = await startModelServer({
    dialect: 'lightcone',
    script: DEMO_SCRIPT,
    strictChaining: true,
    faults: args.pace > 0 ? { eventDelayMs: args.pace } : undefined,
  });
  try {
    const exitCode = await runTask({
      task: DEMO_TASK,
      provider: 'lightcone',
      baseUrl: server.url,
      timeout: 30,
      idleTimeout: 30,
      requestTimeout: 30,
      maxRetries: 2,
      display,
      maxTurns: 20,
      requireDone: false,
      coords: 'normalized',
      maxEdge: 1280,
      record: args.record,
      json: args.json,
      stream: true,
      chain: true,
      keepScreenshots: 3,
      dryRun: false,
      ackSafetyChecks: 'never',
      pixelsPerNotch: 100,
      verbose: false,
      doneTool: true,
      screenshotOutput: 'input_image',
      waitForDisplay: args.waitForDisplay,
      onTakeover: 'pause',
      resumeAfter: 3,
    });
    const checks = checkDemoState(await app.state());
    const chainErrors = server.requests.filter((r) => r.chainError).map((r) => r.chainError as string);
    checks.push({ what: 'every request chained correctly', ok: chainErrors.length === 0, got: chainErrors });
    const passed = checks.every((check) => check.ok);
    if (args.json) {
      stdout.write(`${JSON.stringify({ type: 'demo.checked', passed, checks })}\n`);
    } else {
      log('\nthe notes app now shows:');
      for (const check of checks) {
        log(`  ${check.ok ? '✓' : '✗'} ${check.what}${check.ok ? '' : `: got ${JSON.stringify(check.got)}`}`);
      }
      log(passed && exitCode === 0 ? '\ndemo passed' : '\ndemo FAILED');
    }
    return exitCode !== 0 ? exitCode : passed ? 0 : 1;
  } finally {
    await server.close();
    await app.close();
  }
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'Watch the whole loop work end to end: a private display, a demo app, a scripted local model',
  builder: (yargs: Argv) =>
    yargs
      .option('display', {
        type: 'string',
        describe: 'run the demo on this X display instead of a private one (it will type there!)',
      })
      .option('size', { type: 'string', default: '1280x800', describe: 'size of the private display' })
      .option('record', recordOption('folder for the run record; --no-record for none'))
      .option('json', { type: 'boolean', default: false, describe: 'run events as NDJSON on stdout' })
      .option('pace', {
        type: 'number',
        default: 0,
        describe: 'ms between the model server’s stream events, to watch it on your own display',
      })
      .option('wait-for-display', waitForDisplayOption) as unknown as Argv<DemoArgs>,
  handler: async (args: ArgumentsCamelCase<DemoArgs>) => {
    process.exitCode = await runDemo(args);
  },
};
