// The console state as GET /api/console/state answers it: the types generated from
// the OpenAPI document (@seam/client, from ConsoleStateSchema in
// modules/platform/src/host/console.ts), so the page cannot drift from the API.
import type { Schemas } from '@seam/client';

export type ConsoleState = Schemas['ConsoleState'];
export type ConsoleService = Schemas['ConsoleService'];
export type ConsoleReplica = Schemas['ConsoleReplica'];
export type ConsoleProcess = Schemas['ConsoleProcess'];
export type ModuleGraph = Schemas['ConsoleModuleGraph'];
export type Delivery = Schemas['ConsoleDelivery'];
export type RecentError = Schemas['ConsoleRecentError'];
export type RouteSeries = Schemas['ConsoleRouteSeries'];
export type OperationSummary = Schemas['ConsoleOperationSummary'];
