export { createHttpServer, denyAllAuthenticated, type HttpServerOptions } from './create-http-server.ts';
export {
  routeAccessOf,
  MissingRouteAccessError,
  type RouteAccess,
  type AccessEnforcer,
} from './route-access.ts';
export { registerHealthRoutes, type ReadinessCheck } from './health.ts';
export { createMetrics, registerMetrics, type Metrics, type MetricSources } from './metrics.ts';
export { toAppError, operationOutcome, sendError } from './error-response.ts';
