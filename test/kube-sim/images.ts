// The sim's image store (pure): which image references the node "has". A store made with
// `allowAll` (the sim started without any image source) counts every image as present, whatever
// is added later; otherwise a reference must be listed by some source (after normalization:
// `nginx` == `docker.io/library/nginx:latest`).

export function normalizeImage(ref: string): string {
  let name = ref.trim();
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  if (slash < 0) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !digest) name += ':latest';
  return name + digest;
}

export class ImageStore {
  #sources = new Map<string, Set<string>>();
  #all: boolean;

  /** `allowAll`: every image is present. */
  constructor(allowAll: boolean) {
    this.#all = allowAll;
  }

  get allowsAll(): boolean {
    return this.#all;
  }

  /** Replaces the references one source (file, containerd, manual) contributes. */
  setSource(source: string, refs: Iterable<string>): void {
    this.#sources.set(
      source,
      new Set(
        [...refs]
          .map((r) => r.trim())
          .filter((r) => r !== '' && !r.startsWith('#'))
          .map(normalizeImage),
      ),
    );
  }

  add(ref: string, source = 'manual'): void {
    const set = this.#sources.get(source) ?? new Set<string>();
    set.add(normalizeImage(ref));
    this.#sources.set(source, set);
  }

  remove(ref: string, source = 'manual'): void {
    this.#sources.get(source)?.delete(normalizeImage(ref));
  }

  has(ref: string): boolean {
    if (this.allowsAll) return true;
    const wanted = normalizeImage(ref);
    for (const set of this.#sources.values()) {
      if (set.has(wanted)) return true;
      if (wanted.includes('@')) {
        const digest = wanted.slice(wanted.indexOf('@'));
        for (const r of set) if (r.endsWith(digest)) return true;
      }
    }
    return false;
  }

  list(): string[] {
    return [...new Set([...this.#sources.values()].flatMap((s) => [...s]))].sort();
  }
}
