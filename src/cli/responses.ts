import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ExitCode } from './exit-codes.js';
import { type ProviderArgs, withProviderOptions } from './provider-options.js';
import { stdout, stderr } from './output.js';

interface IdArgs extends ProviderArgs {
  id: string;
}

const print = (value: unknown) => stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function command(
  name: string,
  describe: string,
  handler: (args: ArgumentsCamelCase<IdArgs>) => Promise<void>,
) {
  return {
    command: `${name} <id>`,
    describe,
    builder: (yargs: Argv) =>
      withProviderOptions(
        yargs.positional('id', { type: 'string', demandOption: true, describe: 'the response id' }),
      ),
    handler,
  } as unknown as CommandModule<object, IdArgs>;
}

/** The client, loaded here rather than at the top: its wire schemas take a while to load. */
async function clientOf(args: ProviderArgs) {
  const { clientFromArgs } = await import('./provider-client.js');
  return clientFromArgs(args);
}

export const getCommand = command('get', 'Print a response of the model API as JSON', async (args) => {
  print(await (await clientOf(args)).retrieve(args.id));
});

export const deleteCommand = command(
  'delete',
  'Delete a response on the server (where the API supports it)',
  async (args) => {
    print(await (await clientOf(args)).delete(args.id));
  },
);

/** Prints what the server said; exits 0 when the response is (being) cancelled or already over, 1 otherwise. */
export const cancelCommand = command('cancel', 'Ask the server to stop a response', async (args) => {
  const result = await (await clientOf(args)).cancel(args.id);
  if (result.outcome === 'failed') {
    stderr.write(`deskhand: ${result.error.message}\n`);
    process.exitCode = ExitCode.failed;
    return;
  }
  print(result);
  if (result.outcome === 'not_found' || result.outcome === 'not_cancellable') {
    stderr.write(`deskhand: ${result.message}\n`);
    process.exitCode = ExitCode.failed;
  }
});
