// Light, dark and high-contrast themes. 'system' follows the OS; the kiosk defaults to contrast.
export type ThemeChoice = 'system' | 'light' | 'dark' | 'contrast';
export type Theme = Exclude<ThemeChoice, 'system'>;

const KEY = 'outpost.theme';

export class ThemeManager {
  #choice = $state<ThemeChoice>('system');
  #prefersDark = $state(false);
  #fallback: ThemeChoice;

  constructor(fallback: ThemeChoice = 'system') {
    this.#fallback = fallback;
    const stored = safeStorageGet(KEY);
    this.#choice = isThemeChoice(stored) ? stored : fallback;
  }

  get choice(): ThemeChoice {
    return this.#choice;
  }

  get theme(): Theme {
    if (this.#choice !== 'system') return this.#choice;
    return this.#prefersDark ? 'dark' : 'light';
  }

  /** The kiosk screen defaults to high contrast unless someone chose otherwise on it. */
  setFallback(fallback: ThemeChoice): void {
    if (this.#choice === this.#fallback) this.#choice = fallback;
    this.#fallback = fallback;
  }

  set(choice: ThemeChoice): void {
    this.#choice = choice;
    if (choice === this.#fallback) safeStorageRemove(KEY);
    else safeStorageSet(KEY, choice);
  }

  listen(): () => void {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const update = () => (this.#prefersDark = media.matches);
    update();
    media.addEventListener('change', update);
    return () => media.removeEventListener('change', update);
  }
}

function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === 'system' || value === 'light' || value === 'dark' || value === 'contrast';
}

function safeStorageGet(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}
function safeStorageSet(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    /* storage may be disabled on a kiosk; the theme then lasts for the page's life */
  }
}
function safeStorageRemove(key: string): void {
  try {
    window.localStorage.removeItem(key);
  } catch {
    /* as above */
  }
}
