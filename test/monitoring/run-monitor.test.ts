import { describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config.js';
import { emptyCounts } from '../../src/core/outcome.js';
import { createLogger } from '../../src/logging.js';
import type { RunOutcome } from '../../src/monitoring/metrics.js';
import { heartbeatBody, RunMonitor } from '../../src/monitoring/run-monitor.js';
import { FakeTransport } from '../support/fake-transport.js';
import { LogCapture } from '../support/logs.js';
import { sampleValue } from '../support/monitoring-stand-ins.js';

const BOTH: MonitoringConfig = { pushgatewayUrl: 'http://pgw:9091', heartbeatUrl: 'https://hc.example/abc', timeoutMs: 1000 };

function setup(options: { monitoring?: MonitoringConfig; isDryRun?: boolean; nowMs?: () => number } = {}) {
  const logs = new LogCapture();
  const transport = new FakeTransport();
  const monitor = new RunMonitor({
    job: 'take-snapshots',
    region: 'eu-north-1',
    grouping: {},
    monitoring: options.monitoring ?? BOTH,
    isDryRun: options.isDryRun ?? false,
    logger: createLogger({ job: 'take-snapshots', level: 'debug', destination: logs }),
    transport,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  });
  return { logs, transport, monitor };
}

function outcome(overrides: Partial<RunOutcome> = {}): RunOutcome {
  return {
    status: 'OK',
    exitCode: 0,
    startedAt: new Date('2026-11-26T02:07:00Z'),
    endedAt: new Date('2026-11-26T02:07:02Z'),
    durationMs: 2000,
    api: { calls: 5, retries: 0, byOperation: {} },
    counts: { ...emptyCounts(), considered: 3, created: 2, upToDate: 1, stale: 1 },
    ...overrides,
  };
}

describe('RunMonitor', () => {
  it('pings start, then pushes the metrics grouped by region and pings OK with a one-line body', async () => {
    const { transport, monitor } = setup();
    monitor.start();
    await monitor.finish(outcome());

    expect(transport.pings.map((p) => p.kind)).toEqual(['start', 'success']);
    expect(transport.pingUrls).toEqual(['https://hc.example/abc', 'https://hc.example/abc']);
    expect(transport.pings[0]?.body).toBe('start take-snapshots eu-north-1');
    expect(transport.pings[1]?.body).toBe(
      'OK take-snapshots eu-north-1 exit=0 considered=3 created=2 caughtUp=0 upToDate=1 skipped=0 wouldCreate=0 deleted=0 kept=0 wouldDelete=0 failed=0 notStarted=0 exported=0 wouldExport=0 queued=0 exportUpToDate=0 copied=0 wouldCopy=0 copyUpToDate=0 latestTagFailed=0 stale=1 durationMs=2000',
    );
    expect(transport.pushes).toHaveLength(1);
    expect(transport.pushes[0]).toMatchObject({
      url: 'http://pgw:9091',
      jobName: 'take-snapshots',
      groupings: { region: 'eu-north-1' },
      timeoutMs: 1000,
    });
    expect(sampleValue(transport.pushes[0]!.samples, 'rds_snapshot_run_status', { status: 'OK' })).toBe(1);
  });

  it.each([
    ['PARTIAL', 1],
    ['FAILED', 1],
    ['FAILED', 2],
    ['STOPPED', 143],
  ] as const)('pings /fail when the run ends %s (exit %i)', async (status, exitCode) => {
    const { transport, monitor } = setup();
    monitor.start();
    await monitor.finish(outcome({ status, exitCode }));
    expect(transport.pings.map((p) => p.kind)).toEqual(['start', 'fail']);
    expect(transport.pings[1]?.body).toMatch(new RegExp(`^${status} take-snapshots eu-north-1 exit=${exitCode} `));
  });

  it('sends the closing ping only after the start ping has been answered', async () => {
    const { transport, monitor } = setup();
    let release: () => void = () => {};
    const order: string[] = [];
    transport.beforePing = (request) => {
      order.push(`sent ${request.kind}`);
      return request.kind === 'start' ? new Promise((resolve) => (release = resolve)) : Promise.resolve();
    };
    monitor.start();
    const finished = monitor.finish(outcome());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['sent start']);
    release();
    await finished;
    expect(order).toEqual(['sent start', 'sent success']);
  });

  it('adds the job grouping labels to the grouping key and the body', async () => {
    const logs = new LogCapture();
    const transport = new FakeTransport();
    const monitor = new RunMonitor({
      job: 'cronjob-snapshot',
      region: 'eu-north-1',
      grouping: { rds_instance_id: 'orders' },
      monitoring: BOTH,
      isDryRun: false,
      logger: createLogger({ job: 'cronjob-snapshot', level: 'info', destination: logs }),
      transport,
    });
    await monitor.finish(outcome());
    expect(transport.pushes[0]?.groupings).toEqual({ region: 'eu-north-1', rds_instance_id: 'orders' });
    expect(transport.pings[0]?.body).toMatch(/^OK cronjob-snapshot eu-north-1 rds_instance_id=orders exit=0 /);
  });

  it('turns a failed push and a failed ping into one warning line each, and never throws', async () => {
    const { transport, monitor, logs } = setup();
    transport.beforePush = async () => {
      throw new Error('push failed with status 500, stand-in says no');
    };
    transport.beforePing = async () => {
      throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    };
    monitor.start();
    await expect(monitor.finish(outcome())).resolves.toBeUndefined();

    const warnings = logs.where({ event: 'monitoring-failed' });
    expect(warnings.map((w) => w.msg)).toEqual([
      "heartbeat start ping not sent (https://hc.example/abc): no answer within 1000 ms; the run's status is not affected",
      "metrics not pushed to the Pushgateway (http://pgw:9091): push failed with status 500, stand-in says no; the run's status is not affected",
      "heartbeat OK ping not sent (https://hc.example/abc): no answer within 1000 ms; the run's status is not affected",
    ]);
    expect(warnings.every((w) => w.level === 'warn')).toBe(true);
  });

  it('never logs credentials or a query string of a target', async () => {
    const { transport, monitor, logs } = setup({
      monitoring: { pushgatewayUrl: 'https://pusher:s3cret@pgw.example/prefix?token=abc', timeoutMs: 1000 },
    });
    transport.beforePush = async () => {
      throw new Error('ECONNREFUSED');
    };
    await monitor.finish(outcome());
    const text = logs.raw.join('\n');
    expect(text).toContain('https://pgw.example/prefix');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('token=abc');
  });

  it('sends nothing in a dry run, and says so once', async () => {
    const { transport, monitor, logs } = setup({ isDryRun: true });
    monitor.start();
    await monitor.finish(outcome());
    expect(transport.pushes).toEqual([]);
    expect(transport.pings).toEqual([]);
    expect(logs.where({ event: 'monitoring-off' })).toHaveLength(1);
  });

  it('sends nothing and logs nothing when neither URL is set', async () => {
    const { transport, monitor, logs } = setup({ monitoring: { timeoutMs: 1000 } });
    monitor.start();
    await monitor.finish(outcome());
    expect(transport.pushes).toEqual([]);
    expect(transport.pings).toEqual([]);
    expect(logs.raw).toEqual([]);
  });

  it('pushes without pinging, or pings without pushing, as configured', async () => {
    const onlyPush = setup({ monitoring: { pushgatewayUrl: 'http://pgw:9091', timeoutMs: 1000 } });
    onlyPush.monitor.start();
    await onlyPush.monitor.finish(outcome());
    expect([onlyPush.transport.pushes.length, onlyPush.transport.pings.length]).toEqual([1, 0]);

    const onlyPing = setup({ monitoring: { heartbeatUrl: 'https://hc.example/abc', timeoutMs: 1000 } });
    onlyPing.monitor.start();
    await onlyPing.monitor.finish(outcome());
    expect([onlyPing.transport.pushes.length, onlyPing.transport.pings.length]).toEqual([0, 2]);
  });

  describe('after SIGTERM', () => {
    it('keeps one timeout of STOP_GRACE_SECONDS for reporting, at most half of it, and nothing when nothing is configured', () => {
      expect(setup().monitor.reserveMs(20_000)).toBe(1000);
      expect(setup().monitor.reserveMs(1000)).toBe(500);
      expect(setup({ monitoring: { timeoutMs: 1000 } }).monitor.reserveMs(20_000)).toBe(0);
      expect(setup({ isDryRun: true }).monitor.reserveMs(20_000)).toBe(0);
    });

    it('gives each request no more than the time left before the deadline', async () => {
      const { transport, monitor } = setup({ nowMs: () => 10_000 });
      await monitor.finish(outcome({ status: 'STOPPED', exitCode: 143 }), 10_400);
      expect(transport.pushes[0]?.timeoutMs).toBe(400);
      expect(transport.pings[0]?.timeoutMs).toBe(400);
    });

    it('cuts off a start ping still waiting for an answer when the deadline comes', async () => {
      const { transport, monitor, logs } = setup({ monitoring: { heartbeatUrl: 'https://hc.example/abc', timeoutMs: 60_000 } });
      transport.beforePing = (request) =>
        request.kind === 'start'
          ? new Promise((_resolve, reject) => {
              request.signal?.addEventListener('abort', () => reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' })));
            })
          : Promise.resolve();
      monitor.start();

      await monitor.finish(outcome({ status: 'STOPPED', exitCode: 143 }), Date.now() + 50);

      expect(transport.pings).toEqual([]);
      expect(logs.where({ event: 'monitoring-failed' }).map((w) => w.msg)).toEqual([
        expect.stringContaining('heartbeat start ping not sent (https://hc.example/abc): cut off: STOP_GRACE_SECONDS ran out'),
        expect.stringContaining('heartbeat fail ping not sent (https://hc.example/abc): no time left within STOP_GRACE_SECONDS'),
      ]);
    });

    it('sends nothing, with a warning, when the deadline has passed', async () => {
      const { transport, monitor, logs } = setup({ nowMs: () => 10_000 });
      await monitor.finish(outcome({ status: 'STOPPED', exitCode: 143 }), 9_000);
      expect(transport.pushes).toEqual([]);
      expect(transport.pings).toEqual([]);
      expect(logs.where({ event: 'monitoring-failed' }).map((w) => w.msg)).toEqual([
        expect.stringContaining('no time left within STOP_GRACE_SECONDS'),
        expect.stringContaining('no time left within STOP_GRACE_SECONDS'),
      ]);
    });
  });
});

describe('heartbeatBody', () => {
  it('is one line without counts when the run wrote no summary', () => {
    const { counts: _counts, ...crashed } = outcome({ status: 'FAILED', exitCode: 1, durationMs: 12.6 });
    expect(heartbeatBody('delete-snapshots eu-north-1', crashed)).toBe('FAILED delete-snapshots eu-north-1 exit=1 durationMs=13');
  });
});
