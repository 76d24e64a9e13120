// The privileged agent's process loads nothing of the web: following every static import from
// `outpost agent` (cli/agent.ts) reaches no file of http/ or feed/, and no express, ws or
// @kubernetes/client-node (the agent talks to the API server with the lean REST client). Type-only
// imports are erased at run time and not followed; `import { type X }` still loads its module and is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../daemon/src/', import.meta.url));
const STATIC = /^(?:import|export)\s+(?!type\b)(?:[\s\S]*?\sfrom\s+)?'([^']+)';/gm;

function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC)) {
      if (spec!.startsWith('.')) visit(path.resolve(path.dirname(file), spec!));
      else if (!spec!.startsWith('node:')) packages.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the agent process', () => {
  const { files, packages } = graph(path.join(SRC, 'cli/agent.ts'));
  const relative = [...files].map((f) => path.relative(SRC, f));

  it('reaches its composition, the upgrade engine and the audit chain (the walk works)', () => {
    for (const f of ['agent-main.ts', 'upgrade-host.ts', 'upgrade/index.ts', 'audit/index.ts', 'agent/socket-server.ts']) expect(relative).toContain(f);
  });

  it('loads nothing of http/ or feed/, nor express, ws or @kubernetes/client-node', () => {
    expect(relative.filter((f) => /^(http|feed)\//.test(f))).toEqual([]);
    expect([...packages].filter((p) => ['express', 'ws', '@kubernetes/client-node'].includes(p))).toEqual([]);
  });
});
