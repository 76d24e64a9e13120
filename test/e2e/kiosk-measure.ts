// Measures a kiosk page the way a person across the room sees it: the computed font size of every
// visible piece of text, and anything outside the screen or cut off. The DOM types are declared
// here: e2e files are also type-checked without the DOM library.
import type { Page } from 'playwright-core';

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface El {
  getBoundingClientRect(): Box;
  scrollWidth: number;
  clientWidth: number;
  dataset: Record<string, string | undefined>;
  className: string;
  tagName: string;
  textContent: string | null;
  childNodes: Iterable<{ nodeType: number; textContent: string | null }>;
  matches(selector: string): boolean;
  closest(selector: string): El | null;
}
interface Win {
  innerWidth: number;
  innerHeight: number;
  getComputedStyle(el: El): { fontSize: string; visibility: string; display: string };
  document: { documentElement: { scrollWidth: number; scrollHeight: number }; querySelectorAll(selector: string): Iterable<El> };
}

export interface TextSize {
  px: number;
  text: string;
  where: string;
}

/** Every element that directly holds visible text, with its computed font size in px. */
export async function textSizes(page: Page): Promise<TextSize[]> {
  return page.evaluate(() => {
    const window = globalThis as unknown as Win;
    const out: { px: number; text: string; where: string }[] = [];
    for (const el of window.document.querySelectorAll('[data-testid="kiosk"] *')) {
      const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent ?? '').join('').trim();
      if (text === '') continue;
      const style = window.getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
      out.push({ px: parseFloat(style.fontSize), text: text.slice(0, 40), where: `${el.tagName.toLowerCase()}.${el.className}` });
    }
    return out;
  });
}

/** Every kiosk element outside the screen, and big texts that are cut off. */
export async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const window = globalThis as unknown as Win;
    const problems: string[] = [];
    const doc = window.document.documentElement;
    if (doc.scrollWidth > window.innerWidth) problems.push(`page ${doc.scrollWidth}px wide`);
    if (doc.scrollHeight > window.innerHeight) problems.push(`page ${doc.scrollHeight}px tall`);
    for (const el of window.document.querySelectorAll('[data-testid^="kiosk-"], .num .v, .word, .clock')) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 0.5 || r.bottom > window.innerHeight + 0.5 || r.left < -0.5 || r.top < -0.5) problems.push(`${el.dataset.testid ?? el.className} outside the screen`);
      if (el.matches('.num .v, .clock, .word') && el.scrollWidth > el.clientWidth + 1) problems.push(`${el.className} text cut off: ${el.textContent}`);
    }
    return problems;
  });
}

/** The kiosk sizes the design promises. */
export const KIOSK_SIZES = [
  [800, 480],
  [1024, 600],
  [1920, 1080],
] as const;
