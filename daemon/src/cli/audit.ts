// `outpost audit verify`: walks the whole chain with the agent's key and compares its end with the
// head kept outside the database; exit 0 when intact, 1 naming the first bad record.
import { parseArgs } from 'node:util';
import { loadConfigOrReport } from './load-config.ts';
import { openDatabase } from '../store/index.ts';
import { AuditLog, FileAuditSigner, verifyAll } from '../audit/index.ts';
import { agentStateDir } from '../access.ts';

export const auditHelp = `usage: outpost audit verify [--home DIR] [--config FILE]

Checks every record of the audit log against the one before it with the chain's key (in the
agent's state folder), and the log's end against the head kept outside the database. Exits 0 when
the chain is intact, 1 naming the first record that was edited, inserted or deleted, or the cut tail.`;

export async function auditCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { home: { type: 'string' }, config: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals[0] !== 'verify') {
    process.stderr.write(`${auditHelp}\n`);
    return 2;
  }
  const config = loadConfigOrReport({ home: values.home, config: values.config });
  if (!config) return 2;
  let signer: FileAuditSigner;
  try {
    signer = FileAuditSigner.open(agentStateDir(config.home), { create: false });
  } catch (error) {
    process.stdout.write(`audit log cannot be verified: the chain's key is not readable (${(error as Error).message})\n`);
    return 1;
  }
  const db = openDatabase(config.home);
  try {
    const verdict = verifyAll(new AuditLog(db), signer);
    if (verdict.ok) {
      const span = verdict.records === 0 ? 'no records' : `${verdict.records} records (${verdict.first}–${verdict.last})`;
      process.stdout.write(`audit log intact: ${span}, head ${verdict.head}\n`);
      return 0;
    }
    process.stdout.write(`audit log BROKEN at record ${verdict.badId}: ${verdict.problem}\n`);
    return 1;
  } finally {
    db.close();
  }
}
