// Adapter: reads the agent socket's owner, group and mode (lstat, never following a link) and the
// allowed group's id from /etc/group, and judges them with socket-trust-pure.ts.
import { lstatSync, readFileSync } from 'node:fs';
import { groupId, socketTrustProblem, type SocketFacts, type SocketRules } from './socket-trust-pure.ts';

function facts(path: string): SocketFacts | null {
  try {
    const s = lstatSync(path);
    return { isSocket: s.isSocket(), mode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function socketRules(group: string | null, groupFile = '/etc/group'): SocketRules {
  let gid: number | null = null;
  if (group) {
    try {
      gid = groupId(readFileSync(groupFile, 'utf8'), group);
    } catch {
      gid = null;
    }
  }
  return { ownerUid: process.getuid?.() ?? 0, groupGid: gid, groupName: group };
}

/** A check to run before serving a connection: null when the socket is trusted, else why not. */
export function socketTrustCheck(path: string, rules: SocketRules): () => string | null {
  return () => {
    try {
      return socketTrustProblem(path, facts(path), rules);
    } catch (error) {
      return `cannot check ${path}: ${(error as Error).message}`;
    }
  };
}
