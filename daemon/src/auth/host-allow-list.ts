// Adapter: the Host names this device answers to — configured names, localhost, its hostname and
// every address of its interfaces (re-read at most every 30 s, since DHCP and cables change them).
import os from 'node:os';

const REFRESH_MS = 30_000;

export class HostAllowList {
  private readonly configured: readonly string[];
  private cached: Set<string> = new Set();
  private readAt = -Infinity;

  constructor(configured: readonly string[]) {
    this.configured = configured.map((h) => h.toLowerCase());
  }

  get names(): ReadonlySet<string> {
    const now = Date.now();
    if (now - this.readAt > REFRESH_MS) {
      this.cached = this.collect();
      this.readAt = now;
    }
    return this.cached;
  }

  private collect(): Set<string> {
    const names = new Set<string>(['localhost', '127.0.0.1', '::1', ...this.configured]);
    const hostname = os.hostname().toLowerCase();
    names.add(hostname);
    names.add(`${hostname}.local`);
    for (const list of Object.values(os.networkInterfaces())) {
      for (const entry of list ?? []) names.add(entry.address.toLowerCase().replace(/%.*$/, ''));
    }
    return names;
  }
}
