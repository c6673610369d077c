/**
 * analytics/: the eight scenario analyses (acquisition, activation, funnel, path, event, viral, matching, churn) over the stored events and the decision log, their API, audiences, and the demo history.
 *
 * Layout: schema.ts (tables) · feed.ts (the cursor that projects events into them) · store.ts (every
 * read, behind `AnalyticsStore`) · params.ts (filters) · one file per analysis · csv.ts · routes.ts
 * (the Hono sub-app) · demo-history.ts (the seeded history `npm start` fills a fresh store with).
 */
export { createAnalyticsStore, type AnalyticsStore, type AnalyticsStoreOptions, type Audience } from './store';
export { createAnalyticsRoutes, type AnalyticsRoutesOptions } from './routes';
export { fillDemoHistory, type DemoHistoryOptions } from './demo-history';
