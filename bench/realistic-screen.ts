import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './metric.js';

/** An ordinary application page: a heading, prose, a form, a table of figures and a canvas picture. */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Orders</title><style>
body { font: 15px sans-serif; margin: 0; color: #222; background: #f6f7f9 }
header { background: #2d3e50; color: white; padding: 14px 24px; font-size: 20px }
main { display: grid; grid-template-columns: 520px 1fr; gap: 24px; padding: 20px 24px }
section { background: white; border: 1px solid #dde; border-radius: 6px; padding: 14px 18px }
label { display: block; margin: 8px 0 3px; color: #555 }
input, select, textarea { width: 100%; box-sizing: border-box; padding: 6px; font: inherit }
table { border-collapse: collapse; width: 100% } td, th { border-bottom: 1px solid #e3e3e3; padding: 4px 8px; text-align: left }
tr:nth-child(even) td { background: #f3f6fa } button { padding: 7px 16px; margin: 10px 6px 0 0 }
</style></head><body><header>Acme Orders — customer record 48213</header><main><div>
<section><h3>Customer</h3><label>Name</label><input value="Marguerite Ødegaard">
<label>E-mail</label><input value="m.odegaard@example.com"><label>Country</label>
<select><option>Norway</option></select><label>Notes</label>
<textarea rows="4">Prefers delivery before noon. Call ahead; the gate code changes monthly.</textarea>
<label><input type="checkbox" checked style="width:auto"> Newsletter</label>
<button>Save</button><button>Cancel</button></section>
<section style="margin-top:20px"><h3>Picture</h3><canvas id="c" width="480" height="300"></canvas></section>
<section style="margin-top:20px"><p>${'Orders ship from the Oslo warehouse within two working days. Returns are accepted for thirty days with the original receipt. '.repeat(3)}</p></section>
</div><section><h3>Orders</h3><table><tr><th>#</th><th>Date</th><th>Item</th><th>Qty</th><th>Price</th><th>Status</th></tr>
${Array.from(
  { length: 34 },
  (_, i) =>
    `<tr><td>${10400 + i * 7}</td><td>2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}</td>` +
    `<td>${['Desk lamp', 'Walnut shelf', 'Office chair', 'Cable tray', 'Monitor arm'][i % 5]} ${i % 3 ? 'black' : 'oak'}</td>` +
    `<td>${(i % 4) + 1}</td><td>${(19.5 + i * 3.25).toFixed(2)} €</td><td>${['shipped', 'open', 'returned'][i % 3]}</td></tr>`,
).join('')}</table></section></main>
<script>const c = document.getElementById('c').getContext('2d');
const g = c.createLinearGradient(0, 0, 480, 300); g.addColorStop(0, '#3a7bd5'); g.addColorStop(1, '#f0c27b');
c.fillStyle = g; c.fillRect(0, 0, 480, 300);
for (let i = 0; i < 60; i++) { c.beginPath(); c.fillStyle = 'hsla(' + (i * 37) % 360 + ',70%,55%,0.35)';
c.arc((i * 97) % 480, (i * 53) % 300, 10 + (i * 13) % 50, 0, 7); c.fill(); }
</script></body></html>`;

/**
 * A screen as a model usually sees it: Chromium full screen on the page above (text, a table, form
 * fields, a canvas picture). Beside busy-screen.ts's photo-like worst case. Needs chromium.
 */
export async function showRealisticScreen(display: string): Promise<{ stop(): void }> {
  const directory = mkdtempSync(join(tmpdir(), 'deskhand-bench-page-'));
  const page = join(directory, 'page.html');
  writeFileSync(page, PAGE);
  let browser: ChildProcess | undefined;
  const stop = () => {
    // Its own process group: Chromium's helper processes go with it.
    if (browser?.pid) {
      try {
        process.kill(-browser.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // A helper may still be writing its profile for a moment.
    rmSync(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    browser = spawn(
      '/usr/bin/chromium',
      [
        // The bench runs as root in containers, where Chromium refuses its sandbox.
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        `--user-data-dir=${join(directory, 'profile')}`,
        '--kiosk',
        '--window-position=0,0',
        '--window-size=1920,1080',
        '--force-device-scale-factor=1',
        '--no-first-run',
        '--disable-gpu',
        '--noerrdialogs',
        '--disable-features=Translate',
        `file://${page}`,
      ],
      { stdio: 'ignore', detached: true, env: { ...process.env, DISPLAY: display } },
    );
    // Chromium takes a few seconds to start and paint on a loaded machine.
    await sleep(6000);
  } catch (error) {
    stop();
    throw error;
  }
  return { stop };
}
