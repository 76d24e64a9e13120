// `outpost audit verify`: walks the hash chain; exit 0 when intact, 1 naming the first bad record.
import { parseArgs } from 'node:util';
import { loadConfigOrReport } from './load-config.ts';
import { openDatabase } from '../store/index.ts';
import { AuditLog } from '../audit/index.ts';

export const auditHelp = `usage: outpost audit verify [--home DIR] [--config FILE]

Checks every record of the audit log against the one before it. Exits 0 when the chain is intact,
1 naming the first record that was edited, inserted or deleted.`;

export async function auditCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { home: { type: 'string' }, config: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals[0] !== 'verify') {
    process.stderr.write(`${auditHelp}\n`);
    return 2;
  }
  const config = loadConfigOrReport({ home: values.home, config: values.config });
  if (!config) return 2;
  const db = openDatabase(config.home);
  try {
    const verdict = new AuditLog(db).verify();
    if (verdict.ok) {
      process.stdout.write(`audit log intact: ${verdict.records} records, head ${verdict.head}\n`);
      return 0;
    }
    process.stdout.write(`audit log BROKEN at record ${verdict.badId}: ${verdict.problem}\n`);
    return 1;
  } finally {
    db.close();
  }
}
