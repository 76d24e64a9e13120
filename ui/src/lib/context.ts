// Typed access to the app-wide managers, set once in App.svelte.
import { getContext, setContext } from 'svelte';
import type { FeedClient } from './feed/feed-client.svelte.ts';
import type { Router } from './router.svelte.ts';
import type { ThemeManager } from './theme.svelte.ts';
import type { SessionManager } from './session.svelte.ts';
import type { ApiClient } from './api.ts';

export interface AppContext {
  api: ApiClient;
  feed: FeedClient;
  router: Router;
  session: SessionManager;
  theme: ThemeManager;
}

const KEY = Symbol('outpost.app');

export function setAppContext(context: AppContext): void {
  setContext(KEY, context);
}

export function getAppContext(): AppContext {
  const context = getContext<AppContext | undefined>(KEY);
  if (!context) throw new Error('app context missing: render inside App.svelte');
  return context;
}
