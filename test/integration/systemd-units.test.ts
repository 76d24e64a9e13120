// The units are checked by systemd's own verifier (no systemd runs as PID 1 here, but
// systemd-analyze works without it). Install paths are pointed at this checkout first, since the
// verifier insists that ExecStart exists.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon.ts';

const run = promisify(execFile);

describe('systemd units', () => {
  it('outpost-web.service passes systemd-analyze verify and keeps the web process unprivileged', async () => {
    const unit = readFileSync(path.join(ROOT, 'systemd/outpost-web.service'), 'utf8');
    expect(unit).toMatch(/^User=outpost$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^CapabilityBoundingSet=$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);

    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-units-'));
    try {
      const local = unit.replace('/opt/outpost/node_modules/.bin/node', process.execPath).replace('/opt/outpost/daemon/src/cli.ts', path.join(ROOT, 'daemon/src/cli.ts'));
      const file = path.join(dir, 'outpost-web.service');
      writeFileSync(file, local);
      const result = await run('systemd-analyze', ['verify', '--man=no', file]).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
      const problems = result.out.split('\n').filter((l) => l.includes('outpost-web.service') && !/Failed to .*(unit|bus)|No such file or directory.*\.(socket|target)/i.test(l));
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
