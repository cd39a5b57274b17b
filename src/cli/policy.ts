import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from './exit-codes.js';
import { stdout } from './output.js';

interface PolicyArgs {
  action: 'check';
  file: string;
}

/** `deskhand policy check FILE`: exit 0 and what the policy does, or exit 2 and each problem with its line. */
async function check(args: ArgumentsCamelCase<PolicyArgs>): Promise<void> {
  // Loaded here, not at the top: the policy's YAML parser and schema take a while to load.
  const { loadPolicyFile, PolicyError, summarizePolicy } = await import('../policy/index.js');
  try {
    const policy = loadPolicyFile(args.file);
    stdout.write(
      `${args.file}: valid\n${summarizePolicy(policy)
        .map((line) => `  ${line}\n`)
        .join('')}`,
    );
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  }
}

export const policyCommand: CommandModule<object, PolicyArgs> = {
  command: 'policy <action> <file>',
  describe: 'Check a policy file (what the model may do, for run --policy): its errors with their lines',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', {
        choices: ['check'] as const,
        describe: 'check: validate the file and explain it',
      })
      .positional('file', {
        type: 'string',
        describe: 'the policy file (YAML or JSON)',
      }) as unknown as Argv<PolicyArgs>,
  handler: check,
};
