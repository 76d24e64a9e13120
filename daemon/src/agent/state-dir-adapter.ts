// Adapter: the agent's state folder `<home>/agent`, which holds the audit chain's key and head. On a
// device the agent runs as root and the folder is root's 0700 inside the web's `/var/lib/outpost`:
// the web process cannot read the key. Because the web owns the parent folder it could swap the
// folder for one of its own; so the agent opens only a folder it owns. One that the state folder's
// owner made (a release from before the split, where the web held the key) is taken over once.
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FileAuditSigner } from '../audit/index.ts';
import type { Logger } from '../lib/logger.ts';

export function agentStateDir(home: string): string {
  return path.join(home, 'agent');
}

/** Makes sure the folder is the agent's alone (owner, 0700, files 0600); throws when it cannot be trusted. */
export function secureAgentStateDir(home: string, log: Logger): string {
  const dir = agentStateDir(home);
  const uid = process.getuid?.() ?? 0;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder: the agent keeps the audit key there`);
  if (stat.uid !== uid) {
    const homeOwner = lstatSync(home).uid;
    if (uid !== 0 || stat.uid !== homeOwner) throw new Error(`${dir} belongs to uid ${stat.uid}, not to the agent (uid ${uid}): refusing to use an audit key someone else controls`);
    // Written by the web process of a release before the privilege split: it becomes the agent's.
    log.warn({ dir, from: stat.uid }, 'taking over the agent state folder from the web account; its key was readable by that account until now');
    for (const name of readdirSync(dir)) chownSync(path.join(dir, name), 0, 0);
    chownSync(dir, 0, 0);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

/** The audit chain's key holder, in the agent's own folder. */
export function openAgentSigner(home: string, log: Logger): FileAuditSigner {
  return FileAuditSigner.open(secureAgentStateDir(home, log), { create: true });
}
