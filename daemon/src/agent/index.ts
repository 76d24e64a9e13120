// Front door of the agent boundary.
export { FIELD_MANAGER, RESTARTED_AT_ANNOTATION, restartPatch, type Actor, type Agent, type DeleteResult, type PodTarget, type RestartResult, type WorkloadTarget } from './agent.ts';
export { ExclusiveRunner, type RunOptions } from './exclusive-runner.ts';
export { inProcessAgent, type InProcessAgentDeps } from './in-process-agent.ts';
export type { OfferRequest, OfferResult, UpgradeAgent, UpgradeAuditEntry } from './upgrade-agent.ts';
export { startAgentSocket, type AgentSocketServer } from './socket-server.ts';
export { connectAgentSocket, type AgentClient } from './socket-client.ts';
export { AGENT_SOCKET_FILE } from './socket-protocol.ts';
export { arrivalAgent, socketAgent, UPLOAD_ID, type ArrivalAgent, type ArrivalAgentDeps } from './arrival-agent.ts';
