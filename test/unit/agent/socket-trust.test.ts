// Who may reach the agent's socket (agent/socket-trust-pure.ts): only its owner, and the group it names.
import { describe, expect, it } from 'vitest';
import { groupId, socketTrustProblem } from '../../../daemon/src/agent/index.ts';

const rules = { ownerUid: 0, groupGid: 998, groupName: 'outpost' };
const sock = (mode: number, uid = 0, gid = 998) => ({ isSocket: true, mode, uid, gid });

describe('socketTrustProblem', () => {
  it('trusts 0600 of the agent, and 0660 of the agent with the allowed group', () => {
    expect(socketTrustProblem('/run/outpost/agent.sock', sock(0o600, 0, 0), rules)).toBeNull();
    expect(socketTrustProblem('/run/outpost/agent.sock', sock(0o660), rules)).toBeNull();
  });

  it.each([
    ['gone', null, /does not exist/],
    ['not a socket', { ...sock(0o600), isSocket: false }, /is not a socket/],
    ['another owner', sock(0o600, 1000), /owned by uid 1000, not by the agent/],
    ['others may connect', sock(0o666), /mode 0666: every local user could connect/],
    ['others may connect (write bit alone)', sock(0o602), /mode 0602/],
    ['another group may connect', sock(0o660, 0, 1000), /group gid 1000, but only group outpost \(gid 998\)/],
  ] as const)('refuses a socket that is %s', (_what, facts, message) => {
    expect(socketTrustProblem('/run/outpost/agent.sock', facts, rules)).toMatch(message);
  });

  it('allows no group at all when the configured group does not exist here', () => {
    const none = { ownerUid: 0, groupGid: null, groupName: 'outpost' };
    expect(socketTrustProblem('/x.sock', sock(0o660, 0, 998), none)).toMatch(/no group is allowed/);
    expect(socketTrustProblem('/x.sock', sock(0o600, 0, 998), none)).toBeNull();
  });
});

describe('groupId', () => {
  it('reads a gid from /etc/group text', () => {
    const text = 'root:x:0:\noutposter:x:12:\noutpost:x:998:web\n';
    expect(groupId(text, 'outpost')).toBe(998);
    expect(groupId(text, 'nobody')).toBeNull();
  });
});
