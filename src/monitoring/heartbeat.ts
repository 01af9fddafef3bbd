/**
 * The dead-man's switch: pings in the convention healthchecks.io, Cronitor and similar services
 * share: `<url>/start` when a run starts, `<url>` when it ends OK, `<url>/fail` when it ends
 * otherwise. A missing ping is what tells someone that the CronJob did not run at all. Node's own
 * fetch, one attempt, bounded by a timeout.
 */
import { withTimeout } from './pushgateway.js';

export type PingKind = 'start' | 'success' | 'fail';

export interface PingRequest {
  /** HEARTBEAT_URL, as configured. */
  url: string;
  kind: PingKind;
  /** One line: the run's status and counts. */
  body: string;
  timeoutMs: number;
  /** Aborts the ping before its timeout (when STOP_GRACE_SECONDS runs out). */
  signal?: AbortSignal;
}

/**
 * The URL to call for a ping: `/start` or `/fail` appended to the path (a query string is kept),
 * and any `user:password@` moved into an Authorization header (fetch refuses URLs with credentials).
 */
export function pingTarget(base: string, kind: PingKind): { url: string; headers: Record<string, string> } {
  const url = new URL(base);
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  if (kind !== 'success') url.pathname = `${url.pathname.replace(/\/+$/, '')}/${kind}`;
  return { url: url.toString(), headers };
}

/** Resolves once the service answered 2xx; rejects on another answer, a network error or the timeout. */
export async function sendPing(request: PingRequest): Promise<void> {
  const { url, headers } = pingTarget(request.url, request.kind);
  const response = await fetch(url, { method: 'POST', headers, body: request.body, signal: withTimeout(request.timeoutMs, request.signal) });
  // Read (and drop) the answer so the connection is released at once.
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`heartbeat answered HTTP ${response.status}`);
}
