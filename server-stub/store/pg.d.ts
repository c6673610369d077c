/**
 * The part of node-postgres (`pg`, no bundled types, @types/pg not installed) the store uses,
 * typed by hand from its documentation. Widen it here when the store needs more.
 */
declare module 'pg' {
  import type { EventEmitter } from 'node:events';

  export interface QueryResult<R = Record<string, unknown>> {
    rows: R[];
    rowCount: number | null;
    fields?: { name: string; dataTypeID: number }[];
  }
  export interface ClientConfig {
    connectionString?: string;
    /** ms a connect may take */
    connectionTimeoutMillis?: number;
    /** ms, sent to the server as statement_timeout */
    statement_timeout?: number;
    /** ms, enforced by the client */
    query_timeout?: number;
    idle_in_transaction_session_timeout?: number;
    application_name?: string;
    keepAlive?: boolean;
  }
  export interface PoolConfig extends ClientConfig {
    max?: number;
    idleTimeoutMillis?: number;
  }
  export interface Notification {
    channel: string;
    payload?: string;
  }
  export interface Queryable {
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  }
  export class Client extends EventEmitter implements Queryable {
    constructor(config?: ClientConfig);
    connect(): Promise<void>;
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
  }
  export interface PoolClient extends Queryable {
    release(error?: Error | boolean): void;
  }
  export class Pool extends EventEmitter implements Queryable {
    constructor(config?: PoolConfig);
    connect(): Promise<PoolClient>;
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
    readonly totalCount: number;
    readonly idleCount: number;
    readonly waitingCount: number;
  }
  const pg: { Client: typeof Client; Pool: typeof Pool };
  export default pg;
}
