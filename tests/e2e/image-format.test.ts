import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import type { ModelServer } from '../../src/model-server/index.js';
import { runCli } from '../support/cli.js';
import { modelServers } from '../support/model-servers.js';

/** `run --image-format` / `--image-quality`: what the model is sent and what the record keeps. */
let display: VirtualDisplay;

beforeAll(async () => {
  display = await startXvfb({ width: 1024, height: 768 });
});
afterAll(async () => display?.stop());
const serve = modelServers();

/** The first screenshot's data URL the server received. */
function firstImage(server: ModelServer): string {
  const create = server.requests.find((r) => r.method === 'POST' && r.path === '/v1/responses');
  const match = /"image_url":"(data:[^"]+)"/.exec(JSON.stringify(create?.body));
  if (!match?.[1]) throw new Error('no screenshot in the first request');
  return match[1];
}

async function run(args: string[], env: Record<string, string> = {}) {
  const server = await serve({ script: [{ message: 'ok' }] });
  const record = mkdtempSync(join(tmpdir(), 'deskhand-image-'));
  const result = await runCli(
    ['run', '--display', display.name, '--base-url', server.url, '--record', record, ...args, 'Look'],
    env,
  );
  expect(result.code, result.stderr).toBe(0);
  const [runDir] = readdirSync(record);
  return { url: firstImage(server), screenshots: join(record, runDir as string, 'screenshots') };
}

describe('run --image-format and --image-quality', () => {
  it('sends JPEG by default, and the format asked for otherwise, with the record in the same format', async () => {
    const byDefault = await run([]);
    expect(byDefault.url).toMatch(/^data:image\/jpeg;base64,/);
    expect(existsSync(join(byDefault.screenshots, 'turn-000.jpg'))).toBe(true);

    const webp = await run(['--image-format', 'webp', '--image-quality', '50']);
    expect(webp.url).toMatch(/^data:image\/webp;base64,/);
    const image = Buffer.from(webp.url.slice(webp.url.indexOf(',') + 1), 'base64');
    expect(await sharp(image).metadata()).toMatchObject({ format: 'webp', width: 1024, height: 768 });

    const png = await run([], { DESKHAND_IMAGE_FORMAT: 'png' });
    expect(png.url).toMatch(/^data:image\/png;base64,/);
  });

  it('refuses a bad format or quality with exit 2, naming the option', async () => {
    const quality = await runCli(['run', '--display', display.name, '--image-quality', '0', 'Look']);
    expect(quality.code).toBe(2);
    expect(quality.stderr).toContain('--image-quality must be a whole number from 1 to 100');
    const format = await runCli(['run', '--display', display.name, '--image-format', 'gif', 'Look']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/image-format.*gif/s);
  });
});
