import { DescribeDBInstancesCommand, RDSServiceException } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { RdsSdkGateway } from '../../src/aws/rds-gateway.js';
import { rejectionOf, useFakeRds } from './helpers';

const MINUTE = 60_000;

/** Lists the instances through the real adapter and returns the clock offset it reports afterwards. */
async function offsetSeenBy(gateway: RdsSdkGateway): Promise<number> {
  for await (const _page of gateway.instancePages()) {
    // one page is enough
  }
  return gateway.clockOffsetMs();
}

describe("fake RDS: its wall clock, and the SDK's measure of the skew", () => {
  const fakes = useFakeRds();

  it('sends a Date header on every answer, by default the machine time', async () => {
    const fake = await fakes.start({ seed: { instances: [{ id: 'db1' }] } });
    const before = Date.now();
    const response = await fetch(fake.url, { method: 'POST', body: 'Action=DescribeDBInstances&Version=2014-10-31' });
    const date = Date.parse(response.headers.get('date') ?? '');
    expect(date).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(date).toBeLessThanOrEqual(Date.now());
  });

  it('does not move its Date header with the simulated now that stamps snapshots', async () => {
    const fake = await fakes.start({ now: new Date('2031-01-01T00:00:00Z') });
    const response = await fetch(fake.url, { method: 'POST', body: 'Action=DescribeDBInstances&Version=2014-10-31' });
    expect(Math.abs(Date.parse(response.headers.get('date') ?? '') - Date.now())).toBeLessThan(MINUTE);
  });

  it.each([
    { skewMs: 0, when: 'the clocks agree' },
    { skewMs: 10 * MINUTE, when: 'AWS is 10 minutes ahead: answers succeed, each Date header carries the offset' },
    { skewMs: -10 * MINUTE, when: 'AWS is 10 minutes behind' },
    { skewMs: 3 * 60 * MINUTE, when: 'AWS is 3 hours ahead: the first request is refused as skewed, the SDK corrects and retries' },
    { skewMs: -2 * 24 * 60 * MINUTE, when: 'AWS is 2 days behind' },
  ])('lets the gateway report the offset when $when', async ({ skewMs }) => {
    const fake = await fakes.start({ seed: { instances: [{ id: 'db1' }] }, clockSkewMs: skewMs });
    const gateway = new RdsSdkGateway(fakes.client(fake, { maxAttempts: 3 }));

    const offset = await offsetSeenBy(gateway);

    // The header has whole seconds, and the answer takes a moment.
    expect(offset).toBeGreaterThan(skewMs - 2_000);
    expect(offset).toBeLessThanOrEqual(skewMs + 1_000);
    expect(fake.calls['DescribeDBInstances']).toBe(Math.abs(skewMs) > 15 * MINUTE ? 2 : 1);
  });

  it('refuses a signature more than 15 minutes off its clock with SignatureDoesNotMatch, as AWS does', async () => {
    const fake = await fakes.start({ clockSkewMs: 20 * MINUTE });
    const rds = fakes.client(fake, { maxAttempts: 1 });

    const error = await rejectionOf(rds.send(new DescribeDBInstancesCommand({})));

    expect(error).toBeInstanceOf(RDSServiceException);
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(fake.calls['DescribeDBInstances']).toBe(1);
  });

  it('can change its clock between runs', async () => {
    const fake = await fakes.start();
    fake.setClockSkew(-30 * MINUTE);
    const gateway = new RdsSdkGateway(fakes.client(fake, { maxAttempts: 2 }));
    expect(await offsetSeenBy(gateway)).toBeLessThan(-29 * MINUTE);
  });
});
