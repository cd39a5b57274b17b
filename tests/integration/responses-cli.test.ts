import { afterEach, describe, expect, it } from 'vitest';
import { ResponsesClient } from '../../src/client/responses-client.js';
import { type ModelServer, startModelServer } from '../../src/model-server/index.js';
import { runCli } from '../support/cli.js';

const KEY = 'sk-canary-cli-0d1e2f3a4b5c6d7e';
let server: ModelServer;

afterEach(async () => {
  await server?.close();
});

const turn = { message: 'hello', actions: [{ type: 'click', x: 1, y: 2 }] };
const body = {
  model: 'tzafon.northstar-cua-fast',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
  tools: [{ type: 'computer_use', display_width: 800, display_height: 600, environment: 'desktop' }],
};

describe('deskhand get, cancel, delete', () => {
  it('prints a response, cancels a running one, deletes one', async () => {
    server = await startModelServer({
      dialect: 'lightcone',
      apiKey: KEY,
      script: [turn, { ...turn, fault: { hang: true } }],
    });
    const client = new ResponsesClient({ baseUrl: server.url, apiKey: KEY });
    const done = await client.create(body);
    const env = { TZAFON_API_KEY: KEY };

    const got = await runCli(['get', done.id, '--base-url', server.url], env);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: done.id, status: 'completed' });

    const stream = client.stream(body);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const cancelled = await runCli(['cancel', stream.responseId as string, '--base-url', server.url], env);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ outcome: 'cancelled' });
    stream.close();

    const late = await runCli(['cancel', done.id, '--base-url', server.url], env);
    expect(late.code).toBe(0);
    expect(JSON.parse(late.stdout)).toMatchObject({ outcome: 'already_finished', status: 'completed' });

    const deleted = await runCli(['delete', done.id, '--base-url', server.url], env);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ id: done.id, deleted: true });

    const gone = await runCli(['get', done.id, '--base-url', server.url], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('not found');

    const unknown = await runCli(['cancel', 'resp_nope', '--base-url', server.url], env);
    expect(unknown.code).toBe(1);
    for (const result of [got, cancelled, late, deleted, gone, unknown]) {
      expect(result.stdout + result.stderr).not.toContain(KEY);
    }
  });

  it('says which variable holds the key when there is none, and hides a wrong one', async () => {
    const missing = await runCli(['get', 'resp_1', '--base-url', 'https://api.example.invalid'], {
      TZAFON_API_KEY: '',
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('TZAFON_API_KEY');

    server = await startModelServer({ dialect: 'openai', apiKey: 'the-right-key', script: [] });
    const wrong = await runCli(['get', 'resp_1', '--provider', 'openai', '--base-url', `${server.url}/v1`], {
      OPENAI_API_KEY: KEY,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('401');
    expect(wrong.stderr).toContain('OPENAI_API_KEY');
    expect(wrong.stdout + wrong.stderr).not.toContain(KEY);
  });
});

describe('OpenAI organization and project', () => {
  it('OPENAI_ORG_ID and OPENAI_PROJECT_ID are sent as openai-node sends them', async () => {
    server = await startModelServer({ dialect: 'openai', script: [turn] });
    const created = await new ResponsesClient({ baseUrl: server.url }).create({
      model: 'computer-use-preview',
      input: body.input,
      tools: [
        { type: 'computer_use_preview', display_width: 800, display_height: 600, environment: 'linux' },
      ],
      truncation: 'auto',
    });
    const got = await runCli(['get', created.id, '--provider', 'openai', '--base-url', server.url], {
      OPENAI_ORG_ID: 'org-test1',
      OPENAI_PROJECT_ID: 'proj_test2',
    });
    expect(got.code, got.stderr).toBe(0);
    const request = server.requests.at(-1)!;
    expect(request.headers['openai-organization']).toBe('org-test1');
    expect(request.headers['openai-project']).toBe('proj_test2');
  });
});
