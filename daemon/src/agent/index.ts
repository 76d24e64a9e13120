// Front door of the agent boundary: the verbs (one table, one schema each), the Agent's cluster
// actions, the one lane for mutations, the socket (server, client, the web's reconnecting link, the
// child supervisor) and the agent's state folder. docs/architecture.md describes the split.
export { FIELD_MANAGER, RESTARTED_AT_ANNOTATION, restartPatch, type Actor, type Agent, type DeleteResult, type PodTarget, type RestartResult, type WorkloadTarget } from './agent.ts';
export { AGENT_VERBS, MAX_AUDIT_BATCH, actorSchema, checkArgs, isAgentVerb, verbSpec, type AgentInfo, type AgentVerb, type AgentVerbs, type AuditVerbs, type SupportVerbs } from './verbs.ts';
export { dispatchVerb } from './dispatch.ts';
export { localAgent } from './local-agent.ts';
export { ExclusiveRunner, type RunOptions } from './exclusive-runner.ts';
export { kubeAgent, type KubeAgentDeps, type KubeWritePort } from './kube-agent.ts';
export type { OfferRequest, OfferResult, UpgradeAgent, UpgradeAuditEntry } from './upgrade-agent.ts';
export { startAgentSocket, type AgentSocketServer, type AgentSocketOptions } from './socket-server.ts';
export { agentUnavailable, connectAgentSocket, type AgentClient, type ClientClosed } from './socket-client.ts';
export { agentLink, type AgentLink, type AgentLinkPhase, type AgentLinkState } from './agent-link.ts';
export { superviseAgent, type AgentChild } from './child-supervisor.ts';
export { AgentAuditQueue } from './audit-queue.ts';
export { socketRules, socketTrustCheck } from './socket-trust-adapter.ts';
export { groupId, socketTrustProblem, type SocketFacts, type SocketRules } from './socket-trust-pure.ts';
export { agentStateDir, openAgentSigner, secureAgentStateDir } from './state-dir-adapter.ts';
export { AGENT_PID_FILE, AGENT_SOCKET_FILE } from './socket-protocol.ts';
export { eventsOf } from './event-stream.ts';
export { arrivalAgent, UPLOAD_ID, type ArrivalAgent, type ArrivalAgentDeps } from './arrival-agent.ts';
