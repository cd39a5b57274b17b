import { Writable } from 'node:stream';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { SIGNAL_EXIT_CODES } from '../../native-adapters/input/exit-guard.js';
import type { SessionEnd } from '../mcp/index.js';
import { defaultRecordRoot, prepareRecordRoot, RecordRootError } from '../trajectory/record-root.js';
import { UsageError } from './exit-codes.js';
import { describeClosed, onOutputClosed, stderr } from './output.js';
import { PROVIDERS, type ProviderArgs, withProviderOptions } from './provider-options.js';
import { protectSecrets } from './redacted-output.js';
import {
  imageFormatOption,
  imageQualityOption,
  parseXvfbSize,
  waitForDisplayMs,
  waitForDisplayOption,
} from './run.js';
import type { ImageFormat } from '../../native-adapters/capture/capturer.js';
import { deskhandVersion } from './version.js';
import { recordOption } from './record-option.js';

interface McpArgs extends ProviderArgs {
  display?: string;
  xvfb?: string;
  xvfbStart?: string;
  coords: 'pixels' | 'normalized';
  maxEdge: number;
  imageFormat: ImageFormat;
  imageQuality?: number;
  scaleFactor?: number;
  monitor?: string;
  pixelsPerNotch: number;
  waitForDisplay: number;
  record?: string | false;
  model?: string;
  maxTurns: number;
  requireDone: boolean;
  ackSafetyChecks: 'always' | 'never';
}

/**
 * stdout belongs to the protocol: the transport gets the real stdout (still redacted), and every other
 * write to process.stdout (a library's console.log, a stray print) goes to stderr instead, where an MCP
 * client shows logs. One misplaced byte on stdout would break the client's JSON-RPC stream.
 */
function claimStdout(): Writable {
  const write = process.stdout.write.bind(process.stdout) as (chunk: unknown) => boolean;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (write(chunk)) callback();
      else process.stdout.once('drain', () => callback());
    },
  });
}

async function mcp(args: ArgumentsCamelCase<McpArgs>): Promise<void> {
  const protocolOut = claimStdout();
  const apiKey = args.apiKey ?? process.env[PROVIDERS[args.provider].keyEnv];
  protectSecrets([apiKey]);
  const record = args.record;
  const recordRoot = record === false ? undefined : (record ?? defaultRecordRoot());
  if (recordRoot !== undefined)
    await prepareRecordRoot(recordRoot, '--record').catch((error: unknown) => {
      throw error instanceof RecordRootError ? new UsageError(error.message) : error;
    });
  // Loaded here, not at the top: the MCP SDK and the desktop's libraries take a while to load.
  const [{ StdioServerTransport }, { startMcpSession }, { clientFromArgs }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('../mcp/index.js'),
    import('./provider-client.js'),
  ]);
  const session = await startMcpSession({
    display: args.display,
    xvfb: parseXvfbSize(args.xvfb),
    startProgram: args.xvfbStart,
    coords: args.coords,
    maxEdge: args.maxEdge,
    imageFormat: args.imageFormat,
    imageQuality: args.imageQuality,
    scaleFactor: args.scaleFactor,
    monitor: args.monitor,
    pixelsPerNotch: args.pixelsPerNotch,
    waitForDisplayMs: waitForDisplayMs(args.waitForDisplay),
    recordRoot,
    secrets: apiKey ? [apiKey] : [],
    version: deskhandVersion(),
    runTask: {
      // Built at the first run_task: screenshot and act need no API key.
      client: () => clientFromArgs(args),
      options: {
        provider: args.provider,
        model: args.model,
        apiKey,
        record: recordRoot ?? false,
        maxTurns: args.maxTurns,
        requireDone: args.requireDone,
        // No terminal to ask on: the server's setting decides.
        approveSafetyChecks: async () => args.ackSafetyChecks === 'always',
        handleSignals: false,
      },
    },
  });
  const finish = (how: SessionEnd) =>
    void session.end(how).then((code) => {
      stderr.write(`deskhand mcp: ended (${how.reason}), exit ${code}\n`);
      process.exit(code);
    });
  // Held keys are released on every way out: signals (then the session ends), crashes, exit; and a
  // guardian process covers SIGKILL (x11-input.ts).
  session.desktop.releaseHeldInputOnExit({
    onSignal: (signal) => finish({ reason: 'signal', signal, exitCode: SIGNAL_EXIT_CODES[signal] }),
    releaseTimeoutMs: 300,
  });
  session.desktop.onLost((message) => finish({ reason: 'display-lost', message }));
  onOutputClosed((name, error) => finish({ reason: 'output-closed', message: describeClosed(name, error) }));
  // The client closing our stdin is how a stdio MCP session ends (the SDK's transport does not say).
  process.stdin.once('end', () => finish({ reason: 'disconnected' }));
  await session.server.connect(new StdioServerTransport(process.stdin, protocolOut));
  const { viewport, coordMode } = session.desktop.profile;
  stderr.write(
    `deskhand mcp: serving on stdio; display ${session.desktop.displayName ?? ''}, screenshots ` +
      `${viewport.width}x${viewport.height}, coordinates ${coordMode}` +
      `${session.recordDir ? `, record ${session.recordDir}` : ''}\n`,
  );
}

export const mcpCommand: CommandModule<object, McpArgs> = {
  command: 'mcp',
  describe: 'Serve the desktop to an MCP client over stdio: screenshot, act, display_info, run_task',
  builder: (yargs: Argv) =>
    withProviderOptions(
      yargs
        .option('display', { type: 'string', describe: 'X display to serve, e.g. :1 (default: $DISPLAY)' })
        .option('xvfb', {
          type: 'string',
          describe: 'start a private virtual display of this size (default 1280x800) and serve it',
        })
        .option('xvfb-start', {
          type: 'string',
          describe: 'a command to start on the display first (e.g. "firefox"); stopped at the end',
        })
        .option('coords', {
          choices: ['pixels', 'normalized'] as const,
          default: 'pixels' as const,
          describe: 'act coordinates: pixels of the screenshot, or the 0-999 grid over it',
        })
        .option('max-edge', {
          type: 'number',
          default: 1280,
          describe: 'longest edge of the screenshots (never upscaled)',
        })
        .option('image-format', imageFormatOption)
        .option('image-quality', imageQualityOption)
        .option('scale-factor', { type: 'number', describe: 'HiDPI scale, overriding detection' })
        .option('monitor', { type: 'string', describe: 'serve one monitor (RandR name or index)' })
        .option('pixels-per-notch', {
          type: 'number',
          default: 100,
          describe: 'scroll amounts per mouse-wheel notch',
        })
        .option('wait-for-display', waitForDisplayOption)
        .option(
          'record',
          recordOption(
            "folder for the run records, the session's and run_task's (default: ~/.local/state/deskhand/runs); --no-record for none",
          ),
        )
        .option('model', {
          type: 'string',
          describe: 'run_task: model name (default: tzafon.northstar-cua-fast / computer-use-preview)',
        })
        .option('max-turns', {
          type: 'number',
          default: 50,
          describe: 'run_task: model requests before stopping',
        })
        .option('require-done', {
          type: 'boolean',
          default: false,
          describe: 'run_task: succeed only when the model says the task is done',
        })
        .option('ack-safety-checks', {
          choices: ['always', 'never'] as const,
          default: 'never' as const,
          describe: 'run_task: approve pending safety checks, or refuse them (ending the run)',
        }),
    ) as unknown as Argv<McpArgs>,
  handler: mcp,
};
