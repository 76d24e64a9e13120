// The click-everything sweep: find every control a user can press on a page (buttons, links,
// checkboxes, radios, selects), look up what pressing it must visibly do, press it on a freshly loaded
// page and read the result from the screen. A control nobody described fails the sweep, so a new
// button that does nothing cannot slip in; a disabled control must say why.
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { screenshot } from './harness.ts';

export interface FoundControl {
  /** data-testid, or `tag:accessible name`. */
  key: string;
  /** Which of the controls with this key (rows repeat keys). */
  index: number;
  name: string;
  disabled: boolean;
  /** Why it is disabled: its title or the text it is described by. */
  reason: string;
  /** The row it sits in (data-key / data-user), when it is in one. */
  row: string | null;
}

export interface PressContext {
  page: Page;
  control: Locator;
  found: FoundControl;
}

/** Presses the control and checks on screen that it did what it must. */
export type Press = (ctx: PressContext) => Promise<void>;
/** What pressing a control must visibly do, or why the sweep leaves it to another test for now. */
export type Expectation = Press | { todo: string };

const WAIT = { timeout: 15_000 };

const SELECTOR = 'button, a[href], input[type="checkbox"], input[type="radio"], select, summary';

/**
 * Every visible control inside `scope`, tagged in the page with data-sweep-id so one can be pressed.
 * Controls inside closed dialogs are not visible and not listed.
 */
export async function findControls(page: Page, scope: string): Promise<FoundControl[]> {
  return page.evaluate(
    ({ scope, selector }) => {
      const root = document.querySelector(scope);
      if (!root) return [];
      const counts = new Map<string, number>();
      const out: FoundControl[] = [];
      for (const el of root.querySelectorAll<HTMLElement>(selector)) {
        const style = getComputedStyle(el);
        if (el.getClientRects().length === 0 || style.visibility === 'hidden' || el.closest('dialog:not([open])')) continue;
        const input = el as HTMLInputElement;
        const labelText = input.labels?.[0]?.textContent ?? '';
        const name = (el.getAttribute('aria-label') ?? (labelText || el.textContent || el.getAttribute('title') || '')).replace(/\s+/g, ' ').trim();
        const key = el.dataset.testid ?? `${el.tagName.toLowerCase()}:${name}`;
        const index = counts.get(key) ?? 0;
        counts.set(key, index + 1);
        const described = (el.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ');
        const row = el.closest<HTMLElement>('[data-key], [data-user]');
        el.dataset.sweepId = `${key}#${index}`;
        out.push({
          key,
          index,
          name,
          disabled: input.disabled === true || el.getAttribute('aria-disabled') === 'true',
          reason: `${el.getAttribute('title') ?? ''} ${described}`.trim(),
          row: row?.dataset.key ?? row?.dataset.user ?? null,
        });
      }
      return out;
    },
    { scope, selector: SELECTOR },
  );
}

export function controlLocator(page: Page, found: FoundControl): Locator {
  return page.locator(`[data-sweep-id="${CSS.escape(`${found.key}#${found.index}`)}"]`);
}

// `CSS.escape` for Node (the page has its own).
const CSS = { escape: (s: string) => s.replace(/["\\]/g, '\\$&') };

/** Text that must never reach the screen: client dumps, browser and Node network errors, template slips. */
export const RAW_INTERNALS = /HTTP-Code:|Headers: \{|fetch failed|Failed to fetch|NetworkError|ECONNREFUSED|\bundefined\b|\[object Object\]|\bNaN\b/;

/** The page shows no raw internals and no error twice. */
export async function expectCleanScreen(page: Page, where: string): Promise<void> {
  const text = await page.locator('body').innerText();
  expect(text, `${where}: raw internals on screen`).not.toMatch(RAW_INTERNALS);
  const errors = await page.locator('.error:visible, [role="alert"]:visible').allInnerTexts();
  const seen = errors.map((e) => e.trim()).filter((e) => e !== '');
  expect(new Set(seen).size, `${where}: an error shown twice: ${JSON.stringify(seen)}`).toBe(seen.length);
}

export interface SweepOptions {
  page: Page;
  /** Loads the page fresh and waits until it is ready to be pressed. */
  open: () => Promise<void>;
  /** Where the controls are (the shell's header is swept on its own). */
  scope: string;
  expectations: Record<string, Expectation>;
  where: string;
}

export interface SweepReport {
  pressed: string[];
  todo: string[];
}

/**
 * Presses every control of the page, each on a freshly opened page, and checks its expectation.
 * Unknown controls, disabled controls without a reason and failed expectations all fail.
 */
export async function sweepPage(options: SweepOptions): Promise<SweepReport> {
  const { page, open, scope, expectations, where } = options;
  await open();
  const controls = await findControls(page, scope);
  const unknown = [...new Set(controls.filter((c) => !(c.key in expectations)).map((c) => c.key))];
  expect(unknown, `${where}: controls with no sweep expectation (say what pressing them must do)`).toEqual([]);
  for (const c of controls.filter((c) => c.disabled)) {
    expect(c.reason, `${where}: ${c.key} is disabled without saying why`).not.toBe('');
  }
  await expectCleanScreen(page, where);
  const report: SweepReport = { pressed: [], todo: [] };
  for (const found of controls) {
    const expectation = expectations[found.key]!;
    const label = `${found.key}#${found.index}${found.row ? ` (${found.row})` : ''}`;
    if ('todo' in expectation) {
      report.todo.push(`${label}: ${expectation.todo}`);
      continue;
    }
    await open();
    const now = (await findControls(page, scope)).find((c) => c.key === found.key && c.index === found.index);
    expect(now, `${where}: ${label} is gone after a reload`).toBeDefined();
    try {
      await expectation({ page, control: controlLocator(page, now!), found: now! });
    } catch (error) {
      await screenshot(page, `sweep-failed-${where}-${label}`.replace(/[^a-z0-9#-]+/gi, '_')).catch(() => undefined);
      throw new Error(`${where}: pressing ${label} (“${found.name}”) did not do what it must: ${(error as Error).message}`, { cause: error });
    }
    await expectCleanScreen(page, `${where} after ${label}`);
    report.pressed.push(label);
  }
  return report;
}

// Expectations used on many pages.

/** Navigates within the app to a path matching `path`, and `ready` (a test id or heading) shows. */
export function navigatesTo(path: RegExp, ready: { testid?: string; heading?: string | RegExp }): Press {
  return async ({ page, control }) => {
    await control.click();
    await page.waitForURL((url) => path.test(url.pathname));
    if (ready.testid) await page.getByTestId(ready.testid).first().waitFor();
    if (ready.heading) await page.getByRole('heading', { level: 1, name: ready.heading }).waitFor();
  };
}

/** A download that succeeds and whose text passes `check`. */
export function downloads(check: (text: string, filename: string) => void): Press {
  return async ({ page, control }) => {
    const [download] = await Promise.all([page.waitForEvent('download'), control.click()]);
    expect(await download.failure()).toBeNull();
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    check(Buffer.concat(chunks).toString('utf8'), download.suggestedFilename());
  };
}

/** A toggle button: aria-pressed flips and flips back. */
export const flipsPressed: Press = async ({ control }) => {
  const before = await control.getAttribute('aria-pressed');
  await control.click();
  await expect.poll(() => control.getAttribute('aria-pressed'), WAIT).not.toBe(before);
};

/** A checkbox: checked flips and `then` sees the effect. */
export function checks(then: (page: Page, checked: boolean) => Promise<void>): Press {
  return async ({ page, control }) => {
    const before = await control.isChecked();
    await control.click();
    expect(await control.isChecked()).toBe(!before);
    await then(page, !before);
  };
}
