// Every type that crosses the wire. The UI imports this folder; keep it free of I/O and Node APIs.
export * from './errors.ts';
export * from './feed.ts';
export * from './system.ts';
export * from './health.ts';
export * from './reducer.ts';
export * from './api.ts';
export * from './auth.ts';
export * from './cluster.ts';
export * from './logs.ts';
export * from './status.ts';
export * from './upgrade.ts';
export * from './arrival.ts';
