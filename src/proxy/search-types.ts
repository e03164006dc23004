import type { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { HitView } from '../adapters/adapter.js';
import type { MultiQueryKind } from '../adapters/multi-query/multi-query-format.js';
import type { RouteConfig, SidecartConfig } from '../config/schema.js';
import type { ShopperIdentity } from '../identity/shopper-identity.js';
import type { CoPurchases, PersonalizeResult } from '../personalization/personalize.js';
import type { ShopperRecord } from '../personalization/types.js';
import type { StoreRead } from '../store/profile-store.js';
import type { PassthroughReason } from './passthrough-reason.js';
import type { RequestCopy } from './search-request-body.js';
import type { VariantAssignment } from './search-served.js';
import type { SearchWindow } from './search-window.js';

// What the search route's phases hand each other (search-route.ts).

/** One search in flight: who asks, what was started for them while the backend answers. */
export interface Search {
  req: IncomingMessage;
  res: ServerResponse;
  route: RouteConfig;
  config: SidecartConfig;
  identity: ShopperIdentity | null;
  assignment: VariantAssignment | null;
  now: number;
  /** When the request to the backend started (its duration metric runs from here). */
  upstreamStart: number;
  storeRead: Promise<StoreRead | null> | null;
  /** Set once the store read settles (usually before the backend answers: then no timer race). */
  settledRead: { value?: StoreRead | null };
  coPurchaseRead: Promise<CoPurchases | undefined> | null;
  /** A client gone before its answer cancels the upstream request (an EventEmitter signal, undici's documented alternative to an AbortController, for a fraction of its cost). */
  cancel: EventEmitter;
  cancelled: boolean;
  /** A multi-query search (`_msearch`, `*\/queries`, `/multi-search`, `/multi_search`): its request body is kept to label the sub-results. */
  multiQuery: MultiQueryKind | null;
  requestCopy: RequestCopy | null;
  /** Set when the request was widened to the route's rerank window: the answer is then this page of it, whatever happens. */
  window: SearchWindow | null;
  /** A route with a window, a request it does not widen: sent as the backend answered it. */
  unwidened: PassthroughReason | null;
}

/** The backend's complete answer, buffered; from `start` on the route's budget runs. */
export interface Buffered {
  upstream: Dispatcher.ResponseData;
  headers: OutgoingHttpHeaders;
  raw: Buffer;
  start: number;
  deadline: number;
}

/** What passed the gate: the shopper's record and the decoded body (and a multi-query search's request body). */
export interface Gated {
  record: ShopperRecord;
  body: Buffer;
  requestBody?: Buffer;
}

/** One result list that personalization ran on: a single search's, or one sub-result of a multi-query search. */
export interface PersonalizedList {
  result: PersonalizeResult;
  /** The backend's hits (`result.order` indexes them). */
  hits: readonly HitView[];
}

export type Outcome =
  | { ok: true; body: Buffer | string; bodyBytes: number; lists: PersonalizedList[]; multiQuery: boolean }
  | { ok: false; reason: PassthroughReason; /** What ran before it stopped (shadow measurements). */ lists: PersonalizedList[] };
