import sharp from 'sharp';
import { lightcone } from '../src/protocol/index.js';

/** A Lightcone first-turn request body with a real 1280x720 PNG screenshot, as the agent sends it. */
export async function firstTurnBody(): Promise<Record<string, unknown>> {
  const png = await sharp({
    create: { width: 1280, height: 720, channels: 3, background: { r: 40, g: 90, b: 160 } },
  })
    .png()
    .toBuffer();
  return lightcone.buildFirstTurn({
    model: 'tzafon.northstar-cua-fast',
    task: 'Open the settings and turn on dark mode',
    screenshot: `data:image/png;base64,${png.toString('base64')}`,
    display: { width: 1280, height: 720 },
  });
}
