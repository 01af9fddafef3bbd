/**
 * Local stand-ins for a Prometheus Pushgateway and a heartbeat service (healthchecks.io style):
 * plain node:http servers on 127.0.0.1:0 that record every request. They answer 200, answer an
 * error, or hang (accept the request and never answer) as a test asks; `unusedUrl()` gives a URL
 * where nothing listens.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Date.now() when the request was complete. */
  at: number;
}

export type StandInMode = 'ok' | 'error' | 'hang';

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  mode: StandInMode;
  close(): Promise<void>;
}

export async function startStandIn(mode: StandInMode = 'ok'): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const standIn: StandIn = { url: '', requests, mode, close: async () => {} };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      if (standIn.mode === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(standIn.mode === 'ok' ? 200 : 500, { 'content-type': 'text/plain' });
      res.end(standIn.mode === 'ok' ? 'OK' : 'stand-in says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}

/** A URL on 127.0.0.1 where nothing listens (the port was just freed): connection refused. */
export async function unusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text-format body (what prom-client pushes), comments left out. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of one series, by name and (some of) its labels; undefined when absent. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
