export { createApp, type AppDeps } from './app.ts';
export { RouteTable, MUTATING_METHODS, type RouteSpec, type Policy, type PolicyGuard, type Method } from './route-table.ts';
export { coreRoutes, evaluateReadiness, type ReadinessProbe } from './core-routes.ts';
export { uiIsBuilt, UI_PAGES } from './static-ui.ts';
export { sendProblem } from './problem.ts';
export { listen, type Listening, type ListenOptions } from './listen.ts';
export { parseBody, parseQuery } from './validate.ts';
