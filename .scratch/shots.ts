import { chromium } from 'playwright-core';
import { startDemo } from '../scripts/demo-setup.ts';
import { mkdtempSync } from 'node:fs';
const home = mkdtempSync('/tmp/shots-');
const demo = await startDemo({ home, settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, cluster: { stabilitySeconds: 3 } }, timing: { readyAfterMs: 300, backoffBaseMs: 1000, backoffMaxMs: 4000, terminationMs: 200 } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const [w, h] of [[800, 480], [1024, 600], [1920, 1080]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await ctx.newPage();
  await page.goto(`${demo.daemon.kioskUrl}kiosk`);
  await page.waitForTimeout(4000);
  await page.screenshot({ path: `.scratch/kiosk-${w}x${h}.png` });
  const small = await page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const hasText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '');
      if (!hasText) continue;
      const fs = parseFloat(getComputedStyle(el).fontSize);
      const r = el.getBoundingClientRect();
      if (fs < 18 && r.width > 0) out.push(`${fs} ${el.tagName}.${el.className} ${(el.textContent ?? '').slice(0, 30)}`);
    }
    return out;
  });
  console.log(w, h, small);
  await ctx.close();
}
{
  const ctx = await browser.newContext({ viewport: { width: 800, height: 480 } });
  const page = await ctx.newPage();
  await page.goto(`${demo.daemon.kioskUrl}kiosk`);
  await page.waitForTimeout(3000);
  await demo.daemon.close();
  await page.waitForTimeout(3000);
  await page.screenshot({ path: `.scratch/kiosk-lost.png` });
}
await browser.close();
await demo.sim.stop();
