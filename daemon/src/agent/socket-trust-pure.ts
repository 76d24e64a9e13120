// Whether the agent may trust who can reach its socket (pure). Node cannot read a unix socket peer's
// credentials (no SO_PEERCRED), so the agent trusts the socket file instead: only its owner, and the
// group it names, can connect() to it. The agent checks that file before it serves each connection
// and refuses every connection while it is wrong (docs/security.md, "The agent socket").

export interface SocketFacts {
  isSocket: boolean;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
}

export interface SocketRules {
  /** The agent's own uid: it (or systemd for it, as the same root) owns the socket. */
  ownerUid: number;
  /** The group allowed to connect (the web process's), or null: no group may. */
  groupGid: number | null;
  /** The group's name, for the message. */
  groupName: string | null;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** Null when only the owner (and the allowed group) can connect; else why the socket is not trusted. */
export function socketTrustProblem(path: string, facts: SocketFacts | null, rules: SocketRules): string | null {
  if (!facts) return `${path} does not exist (any more)`;
  if (!facts.isSocket) return `${path} is not a socket`;
  if (facts.uid !== rules.ownerUid) return `${path} is owned by uid ${facts.uid}, not by the agent (uid ${rules.ownerUid}): whoever owns it chooses who may connect`;
  if ((facts.mode & 0o007) !== 0) return `${path} has mode ${octal(facts.mode)}: every local user could connect`;
  if ((facts.mode & 0o070) !== 0 && (rules.groupGid === null || facts.gid !== rules.groupGid)) {
    const allowed = rules.groupGid === null ? 'no group is allowed (agent.socketGroup does not exist here)' : `only group ${rules.groupName ?? rules.groupGid} (gid ${rules.groupGid}) is`;
    return `${path} has mode ${octal(facts.mode)} for group gid ${facts.gid}, but ${allowed}`;
  }
  return null;
}

/** The gid of `name` in an /etc/group text, or null. */
export function groupId(groupFile: string, name: string): number | null {
  for (const line of groupFile.split('\n')) {
    const [entry, , gid] = line.split(':');
    if (entry === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return null;
}
