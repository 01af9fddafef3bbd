/** A MonitorTransport that records pushes and pings, and can fail or wait as a test asks. */
import type { PingRequest } from '../../src/monitoring/heartbeat.js';
import type { PushRequest } from '../../src/monitoring/pushgateway.js';
import type { MonitorTransport } from '../../src/monitoring/run-monitor.js';
import { parseExposition, type Sample } from './monitoring-stand-ins.js';

export interface RecordedPush extends Omit<PushRequest, 'registry'> {
  samples: Sample[];
}

export class FakeTransport implements MonitorTransport {
  readonly pushes: RecordedPush[] = [];
  readonly pings: Omit<PingRequest, 'url'>[] = [];
  readonly pingUrls: string[] = [];
  /** Called before each push or ping is recorded; may throw or wait. */
  beforePush: () => Promise<void> = async () => {};
  beforePing: (request: PingRequest) => Promise<void> = async () => {};

  async push(request: PushRequest): Promise<void> {
    await this.beforePush();
    const { registry, ...rest } = request;
    this.pushes.push({ ...rest, samples: parseExposition(await registry.metrics()) });
  }

  async ping(request: PingRequest): Promise<void> {
    await this.beforePing(request);
    const { url, ...rest } = request;
    this.pingUrls.push(url);
    this.pings.push(rest);
  }
}
