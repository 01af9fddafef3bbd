// The real transports over the wire, against local stand-ins: prom-client's Pushgateway client
// and Node's fetch for the heartbeat. Timing bounds are generous: they prove "bounded by the
// timeout", not speed.
import { afterEach, describe, expect, it } from 'vitest';
import { pingTarget, sendPing } from '../../src/monitoring/heartbeat.js';
import { RunMetricsRegistry } from '../../src/monitoring/metrics.js';
import { pushToGateway } from '../../src/monitoring/pushgateway.js';
import { parseExposition, startStandIn, unusedUrl, sampleValue, type StandIn } from '../support/monitoring-stand-ins.js';

const open: StandIn[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function standIn(mode: 'ok' | 'error' | 'hang' = 'ok'): Promise<StandIn> {
  const s = await startStandIn(mode);
  open.push(s);
  return s;
}

function registryWithQuota(): RunMetricsRegistry {
  const metrics = new RunMetricsRegistry();
  metrics.snapshotQuota('instance', { used: 81, max: 100 });
  return metrics;
}

describe('pushToGateway', () => {
  it('POSTs the registry in the text format to /metrics/job/<job>/<label>/<value>...', async () => {
    const gateway = await standIn();

    await pushToGateway({
      url: gateway.url,
      jobName: 'take-snapshots',
      groupings: { region: 'eu-north-1' },
      registry: registryWithQuota().registry,
      timeoutMs: 2000,
    });

    expect(gateway.requests).toHaveLength(1);
    const [request] = gateway.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/metrics/job/take-snapshots/region/eu-north-1' });
    expect(sampleValue(parseExposition(request!.body), 'rds_snapshot_quota_used', { quota: 'ManualSnapshots' })).toBe(81);
  });

  it('keeps a path prefix, encodes grouping values and sends user:password as basic auth', async () => {
    const gateway = await standIn();
    const url = gateway.url.replace('http://', 'http://pusher:s3cret@');

    await pushToGateway({
      url: `${url}/pgw/`,
      jobName: 'cronjob-snapshot',
      groupings: { region: 'eu-north-1', rds_instance_id: 'cluster:orders' },
      registry: registryWithQuota().registry,
      timeoutMs: 2000,
    });

    expect(gateway.requests[0]?.path).toBe('/pgw/metrics/job/cronjob-snapshot/region/eu-north-1/rds_instance_id/cluster%3Aorders');
    expect(gateway.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('pusher:s3cret').toString('base64')}`);
  });

  it('rejects when the Pushgateway answers an error', async () => {
    const gateway = await standIn('error');
    await expect(
      pushToGateway({ url: gateway.url, jobName: 'j', groupings: {}, registry: registryWithQuota().registry, timeoutMs: 2000 }),
    ).rejects.toThrow(/push failed with status 500/);
  });

  it('rejects when nothing listens', async () => {
    await expect(
      pushToGateway({ url: await unusedUrl(), jobName: 'j', groupings: {}, registry: registryWithQuota().registry, timeoutMs: 2000 }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('gives up on a Pushgateway that never answers after its timeout', async () => {
    const gateway = await standIn('hang');
    const started = Date.now();
    await expect(
      pushToGateway({ url: gateway.url, jobName: 'j', groupings: {}, registry: registryWithQuota().registry, timeoutMs: 300 }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('pingTarget', () => {
  it.each([
    ['https://hc-ping.com/abc', 'start', 'https://hc-ping.com/abc/start'],
    ['https://hc-ping.com/abc', 'success', 'https://hc-ping.com/abc'],
    ['https://hc-ping.com/abc', 'fail', 'https://hc-ping.com/abc/fail'],
    ['https://hc-ping.com/abc/', 'fail', 'https://hc-ping.com/abc/fail'],
    ['https://example.com/ping/abc?create=1', 'start', 'https://example.com/ping/abc/start?create=1'],
    ['http://127.0.0.1:8000', 'start', 'http://127.0.0.1:8000/start'],
  ] as const)('%s, %s → %s', (base, kind, expected) => {
    expect(pingTarget(base, kind).url).toBe(expected);
  });

  it('moves user:password into an Authorization header (fetch refuses URLs with credentials)', () => {
    const { url, headers } = pingTarget('https://ops:p%40ss@hb.example.com/check', 'fail');
    expect(url).toBe('https://hb.example.com/check/fail');
    expect(headers['authorization']).toBe(`Basic ${Buffer.from('ops:p@ss').toString('base64')}`);
  });
});

describe('sendPing', () => {
  it('POSTs the one-line body to the ping URL', async () => {
    const service = await standIn();
    await sendPing({ url: `${service.url}/ping/abc`, kind: 'fail', body: 'PARTIAL take-snapshots eu-north-1 exit=1', timeoutMs: 2000 });
    expect(service.requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/ping/abc/fail', body: 'PARTIAL take-snapshots eu-north-1 exit=1' }),
    ]);
  });

  it('rejects an error answer, a refused connection and, after its timeout, a service that never answers', async () => {
    const failing = await standIn('error');
    await expect(sendPing({ url: failing.url, kind: 'success', body: 'x', timeoutMs: 2000 })).rejects.toThrow(/HTTP 500/);
    await expect(sendPing({ url: await unusedUrl(), kind: 'success', body: 'x', timeoutMs: 2000 })).rejects.toThrow();
    const hanging = await standIn('hang');
    const started = Date.now();
    await expect(sendPing({ url: hanging.url, kind: 'start', body: 'x', timeoutMs: 300 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
