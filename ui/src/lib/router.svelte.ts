// Path-based navigation without reloads. The daemon serves index.html for every page path.
export interface PageDef {
  path: string;
  title: string;
}

export const NAV_PAGES: PageDef[] = [
  { path: '/', title: 'Overview' },
  { path: '/workloads', title: 'Workloads' },
  { path: '/upgrades', title: 'Upgrades' },
  { path: '/audit', title: 'Audit' },
  { path: '/settings', title: 'Settings' },
];

export class Router {
  #path = $state(window.location.pathname);

  get path(): string {
    return this.#path;
  }

  /** The first path segment with a leading slash: '/workloads/ns/x' -> '/workloads'. */
  get section(): string {
    const first = this.#path.split('/')[1] ?? '';
    return first === '' || first === 'overview' ? '/' : `/${first}`;
  }

  navigate(path: string): void {
    if (path === this.#path) return;
    window.history.pushState({}, '', path);
    this.#path = path;
  }

  /** Follows plain left clicks on same-origin links without a reload. */
  onLinkClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== window.location.origin) return;
    event.preventDefault();
    this.navigate(anchor.pathname);
  };

  listen(): () => void {
    const onPop = () => (this.#path = window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }
}
