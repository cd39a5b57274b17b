// The model server's pure parts: delta chunking, image headers, the event log.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunks } from '../../src/model-server/generate.js';
import { dataUrlImage, imageSize } from '../../src/model-server/images.js';
import { EventLog, frame } from '../../src/model-server/sse.js';

describe('chunks', () => {
  it('splits text into at most 12 deltas that join back to it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const parts = chunks(text);
        expect(parts.join('')).toBe(text);
        expect(parts.length).toBeLessThanOrEqual(12);
        if (text !== '') expect(parts.every((part) => part !== '')).toBe(true);
      }),
    );
    expect(chunks('Click the button')).toEqual(['Click ', 'the ', 'button']);
  });
});

describe('image sizes', () => {
  it('reads PNG, JPEG and WebP headers', () => {
    const png = Buffer.alloc(24);
    Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').copy(png);
    png.writeUInt32BE(1280, 16);
    png.writeUInt32BE(720, 20);
    expect(imageSize(png)).toEqual({ width: 1280, height: 720 });

    const jpeg = Buffer.concat([
      Buffer.from('ffd8ffe00010', 'hex'),
      Buffer.alloc(14),
      Buffer.from('ffc0001108002000400301', 'hex'),
      Buffer.alloc(16),
    ]);
    expect(imageSize(jpeg)).toEqual({ width: 64, height: 32 });

    const webp = Buffer.alloc(30);
    webp.write('RIFF', 0, 'latin1');
    webp.write('WEBPVP8X', 8, 'latin1');
    webp.writeUIntLE(799, 24, 3);
    webp.writeUIntLE(599, 27, 3);
    expect(imageSize(webp)).toEqual({ width: 800, height: 600 });

    expect(dataUrlImage(`data:image/png;base64,${png.toString('base64')}`)).toEqual({
      mime: 'image/png',
      bytes: 24,
      width: 1280,
      height: 720,
    });
    expect(dataUrlImage('https://example.com/shot.png')).toBeUndefined();
    expect(imageSize(Buffer.from('not an image'))).toBeUndefined();
  });
});

describe('EventLog', () => {
  it('numbers events from 0 and replays after a sequence number, then live', async () => {
    const log = new EventLog();
    log.push('response.created', { response: { id: 'resp_1' } });
    log.push('response.in_progress');
    expect(frame(log.events[0]!)).toBe(
      'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1"},"sequence_number":0}\n\n',
    );
    const seen: number[] = [];
    const reading = (async () => {
      for await (const event of log.after(0, new AbortController().signal)) seen.push(event.sequenceNumber);
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.push('response.completed');
    log.end();
    await reading;
    expect(seen).toEqual([1, 2]);
    expect(() => log.push('late')).toThrow(/after the end/);
  });
});
