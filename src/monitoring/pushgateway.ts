/**
 * Pushing a run's Registry to a Prometheus Pushgateway with prom-client's client: POST (prom-client's
 * `pushAdd`), which replaces only the metrics this push carries in the group, so an earlier run's
 * last-success time outlives a failed run. One attempt, bounded by `timeoutMs` end to end.
 */
import http from 'node:http';
import https from 'node:https';
import type { Registry } from 'prom-client';
import Pushgateway from 'prom-client/lib/pushgateway';

export interface PushRequest {
  /** PUSHGATEWAY_URL: the base URL (a path prefix and user:password@ are honoured). */
  url: string;
  jobName: string;
  /** Grouping key labels besides `job`: region, and what tells one deployment of the job from another. */
  groupings: Readonly<Record<string, string>>;
  registry: Registry;
  timeoutMs: number;
  /** Aborts the push before its timeout (when STOP_GRACE_SECONDS runs out). */
  signal?: AbortSignal;
}

/** Resolves once the Pushgateway accepted the push; rejects on an HTTP error, a network error or the timeout. */
export async function pushToGateway(request: PushRequest): Promise<void> {
  const base = new URL(request.url);
  // prom-client appends `/metrics/...` to the path as given: `/prefix/` would become `/prefix//metrics`.
  base.pathname = base.pathname.replace(/\/+$/, '');
  const isHttps = base.protocol === 'https:';
  const options = {
    // `timeout` fires on an idle socket; `signal` bounds the whole request, a slow trickle included.
    timeout: request.timeoutMs,
    signal: withTimeout(request.timeoutMs, request.signal),
    // No keep-alive: a short-lived job must not wait on, or leave behind, an idle connection.
    agent: isHttps ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false }),
  };
  const gateway = new Pushgateway(base.toString(), options, request.registry);
  await gateway.pushAdd({ jobName: request.jobName, groupings: { ...request.groupings } });
}

/** A signal that aborts after `timeoutMs`, or earlier with `signal`. */
export function withTimeout(timeoutMs: number, signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
}
