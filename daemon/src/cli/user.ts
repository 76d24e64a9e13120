// `outpost user add|passwd|list|disable|enable`: works whether the daemon runs or not (SQLite in WAL
// mode; the daemon notices changed sessions within its check interval and closes their sockets).
import { parseArgs } from 'node:util';
import { loadConfigOrReport } from './load-config.ts';
import { createLogger } from '../lib/logger.ts';
import { OutpostError } from '../lib/errors.ts';
import { openDatabase } from '../store/index.ts';
import { buildAccess } from '../access.ts';
import { openAgentSigner } from '../agent/index.ts';
import { AuditLog } from '../audit/index.ts';
import { isRole, type Principal, type Role } from '../auth/index.ts';
import { readPassword } from './read-password.ts';

export const userHelp = `usage: outpost user COMMAND [--home DIR] [--config FILE]

  add NAME --role viewer|operator|admin [--password-stdin]   create a user
  passwd NAME [--password-stdin]                              set a user's password (ends their sessions)
  disable NAME                                                disable a user (ends their sessions)
  enable NAME                                                 enable a disabled user
  list                                                        list users

Without --password-stdin the password is asked for twice on the terminal.`;

const CLI_CONTEXT = { address: 'local', userAgent: 'outpost-cli' };

export async function userCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      role: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      home: { type: 'string' },
      config: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [sub, name] = positionals;
  const config = loadConfigOrReport({ home: values.home, config: values.config });
  if (!config) return 2;
  const log = createLogger('silent');
  const db = openDatabase(config.home);
  // Run as root on a device, like the agent: the records join the chain with the agent's key.
  const audit = new AuditLog(db, { signer: openAgentSigner(config.home, log), maxBytes: config.audit.maxBytes });
  const access = buildAccess({ ...config, allowedHosts: [] }, db, log, audit);
  const actor: Principal = { kind: 'user', userId: 0, username: `cli:${process.env.SUDO_USER ?? process.env.USER ?? 'root'}`, role: 'admin', session: { idHash: '', userId: 0, tokenHash: '', address: 'local', createdAt: 0, lastSeenAt: 0 } };
  try {
    switch (sub) {
      case 'list': {
        const rows = access.auth.listUsers();
        if (rows.length === 0) process.stdout.write('no users yet\n');
        for (const u of rows) process.stdout.write(`${u.username.padEnd(24)} ${u.role.padEnd(9)} ${u.disabledAt ? 'disabled' : 'enabled'}\n`);
        return 0;
      }
      case 'add': {
        if (!name) throw new OutpostError('validation_failed', 'name the user: outpost user add NAME --role ROLE');
        if (!isRole(values.role)) throw new OutpostError('validation_failed', '--role must be viewer, operator or admin');
        const password = await readPassword(values['password-stdin'] === true);
        await access.auth.createUser(actor, { username: name, password, role: values.role as Role }, CLI_CONTEXT);
        if (values.role === 'admin') access.setup.close();
        process.stdout.write(`created ${name} (${values.role})\n`);
        return 0;
      }
      case 'passwd': {
        if (!name) throw new OutpostError('validation_failed', 'name the user: outpost user passwd NAME');
        const password = await readPassword(values['password-stdin'] === true);
        await access.auth.setPassword(actor, name, password, CLI_CONTEXT);
        process.stdout.write(`password of ${name} changed; their sessions are ended\n`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        if (!name) throw new OutpostError('validation_failed', `name the user: outpost user ${sub} NAME`);
        await access.auth.update(actor, name, { disabled: sub === 'disable' }, CLI_CONTEXT);
        process.stdout.write(`${name} ${sub}d\n`);
        return 0;
      }
      default:
        process.stderr.write(`${userHelp}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof OutpostError) {
      process.stderr.write(`outpost: ${error.message} (${error.code})\n`);
      return 1;
    }
    throw error;
  } finally {
    db.close();
  }
}
