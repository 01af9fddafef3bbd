import {
  CreateDBSnapshotCommand,
  DBSnapshotAlreadyExistsFault,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import type { FakeRdsOptions } from '../support/fake-rds/index';
import { rejectionOf, useFakeRds } from './helpers';

const SEED: FakeRdsOptions['seed'] = {
  instances: [{ id: 'db1' }, { id: 'db2' }],
};

describe('fake RDS fault injection against the real RDSClient retry logic', () => {
  const fakes = useFakeRds();

  it('lets the SDK retry through Throttling for the first N calls to success', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'throttle', action: 'DescribeDBInstances', times: 2 });
    const rds = fakes.client(fake, { maxAttempts: 3 });
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    expect(out.DBInstances).toHaveLength(2);
    expect(out.$metadata.attempts).toBe(3);
    expect(fake.calls['DescribeDBInstances']).toBe(3);
    expect(fake.faultsInjected).toBe(2);
  });

  it('surfaces Throttling with the "Rate exceeded" message once the SDK runs out of attempts', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'throttle' });
    const rds = fakes.client(fake, { maxAttempts: 2 });
    const error = await rejectionOf(rds.send(new DescribeDBInstancesCommand({})));
    expect(error).toBeInstanceOf(RDSServiceException);
    expect(error.name).toBe('Throttling');
    expect(error.message).toBe('Rate exceeded');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 2 });
    expect(fake.calls['DescribeDBInstances']).toBe(2);
  });

  it.each([
    [500, 'InternalFailure'],
    [503, 'ServiceUnavailable'],
  ] as const)('lets the SDK retry a %i (%s) to success', async (status, code) => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'status', status, times: 1 });
    const rds = fakes.client(fake, { maxAttempts: 2 });
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    expect(out.$metadata.attempts).toBe(2);

    fake.addFault({ kind: 'status', status, times: 1 });
    const error = await rejectionOf(fakes.client(fake, { maxAttempts: 1 }).send(new DescribeDBInstancesCommand({})));
    expect(error.name).toBe(code);
    expect(error.$metadata?.httpStatusCode).toBe(status);
  });

  it('lets the SDK retry a dropped connection to success', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'drop', times: 1 });
    const rds = fakes.client(fake, { maxAttempts: 2 });
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    expect(out.DBInstances).toHaveLength(2);
    expect(out.$metadata.attempts).toBe(2);
    expect(fake.calls['DescribeDBInstances']).toBe(2);

    fake.addFault({ kind: 'drop', times: 1 });
    const error = await rejectionOf(fakes.client(fake, { maxAttempts: 1 }).send(new DescribeDBInstancesCommand({})));
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
  });

  it('fails a request answered later than the client requestTimeout, yet the late request still took effect', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'delay', ms: 1_500, action: 'CreateDBSnapshot', times: 1 });
    // In this @smithy/node-http-handler, requestTimeout alone only logs a warning: throwOnRequestTimeout makes it fail.
    const rds = fakes.client(fake, { maxAttempts: 1, requestHandler: new NodeHttpHandler({ requestTimeout: 200, throwOnRequestTimeout: true }) });
    const started = performance.now();
    const error = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 'late' })));
    expect(error.name).toBe('TimeoutError');
    expect(performance.now() - started).toBeLessThan(1_400);
    // The fake processed the create before answering late: a retry now finds it exists.
    expect(fake.snapshots().map((s) => s.id)).toEqual(['late']);
    const retry = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 'late' })));
    expect(retry).toBeInstanceOf(DBSnapshotAlreadyExistsFault);
  });

  it('shows that requestTimeout without throwOnRequestTimeout only warns and waits for the late answer', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'delay', ms: 400, times: 1 });
    const warnings: unknown[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (...args: unknown[]) => warnings.push(args), error: () => {} };
    const rds = fakes.client(fake, { requestHandler: new NodeHttpHandler({ requestTimeout: 100, logger }) });
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    expect(out.DBInstances).toHaveLength(2);
    expect(JSON.stringify(warnings)).toContain('requestTimeout');
  });

  it('answers a delayed request that is within the timeout normally', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'delay', ms: 100, times: 1 });
    const rds = fakes.client(fake, { requestHandler: new NodeHttpHandler({ requestTimeout: 2_000 }) });
    const started = performance.now();
    await rds.send(new DescribeDBInstancesCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(fake.faultsInjected).toBe(1);
  });

  it('injects a modelled error only for requests whose parameters match', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({
      kind: 'error',
      code: 'InvalidDBInstanceState',
      message: 'DB Instance db2 is not in available state.',
      action: 'CreateDBSnapshot',
      match: (params) => params['DBInstanceIdentifier'] === 'db2',
    });
    const rds = fakes.client(fake);
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 'ok' }));
    const error = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'db2', DBSnapshotIdentifier: 'no' })));
    expect(error).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe('DB Instance db2 is not in available state.');
    expect(fake.snapshots().map((s) => s.id)).toEqual(['ok']);
  });

  it('uses the status given with an error fault', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'error', code: 'AccessDenied', status: 403, message: 'not allowed', times: 1 });
    const error = await rejectionOf(fakes.client(fake).send(new DescribeDBInstancesCommand({})));
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('scopes a fault to its action and spends a times fault', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'throttle', action: 'DescribeDBSnapshots', times: 1 });
    const rds = fakes.client(fake);
    await rds.send(new DescribeDBInstancesCommand({}));
    await expect(rds.send(new DescribeDBSnapshotsCommand({}))).rejects.toThrow('Rate exceeded');
    await rds.send(new DescribeDBSnapshotsCommand({}));
    expect(fake.calls).toEqual({ DescribeDBInstances: 1, DescribeDBSnapshots: 2 });
    expect(fake.faultsInjected).toBe(1);
  });

  it('checks faults in the order added', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'status', status: 503, times: 1 });
    fake.addFault({ kind: 'throttle', times: 1 });
    const rds = fakes.client(fake);
    expect((await rejectionOf(rds.send(new DescribeDBInstancesCommand({})))).name).toBe('ServiceUnavailable');
    expect((await rejectionOf(rds.send(new DescribeDBInstancesCommand({})))).name).toBe('Throttling');
    await rds.send(new DescribeDBInstancesCommand({}));
  });

  it('draws probability faults from a seeded PRNG, so the same seed fails the same calls', async () => {
    const pattern = async (randomSeed: number): Promise<boolean[]> => {
      const fake = await fakes.start({ seed: SEED, randomSeed });
      fake.addFault({ kind: 'throttle', probability: 0.3 });
      const rds = fakes.client(fake);
      const failed: boolean[] = [];
      for (let i = 0; i < 40; i++) {
        failed.push(
          await rds.send(new DescribeDBInstancesCommand({})).then(
            () => false,
            () => true,
          ),
        );
      }
      expect(fake.faultsInjected).toBe(failed.filter(Boolean).length);
      return failed;
    };
    const a = await pattern(42);
    expect(await pattern(42)).toEqual(a);
    const failures = a.filter(Boolean).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
  });

  it('clears faults, adds latency, and resets its counters', async () => {
    const fake = await fakes.start({ seed: SEED });
    const rds = fakes.client(fake);
    fake.addFault({ kind: 'throttle' });
    await expect(rds.send(new DescribeDBInstancesCommand({}))).rejects.toThrow('Rate exceeded');
    fake.clearFaults();
    fake.setLatency(120);
    const started = performance.now();
    await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'db1' }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(fake.calls).toEqual({ DescribeDBInstances: 2 });
    expect(fake.requests[1]).toEqual({
      action: 'DescribeDBInstances',
      region: 'eu-north-1',
      params: { Action: 'DescribeDBInstances', Version: '2014-10-31', DBInstanceIdentifier: 'db1' },
    });
    fake.resetCounters();
    expect(fake.calls).toEqual({});
    expect(fake.requests).toEqual([]);
    expect(fake.faultsInjected).toBe(0);
  });

  it('keeps only the newest requests when requestLogLimit is set', async () => {
    const fake = await fakes.start({ seed: SEED, requestLogLimit: 3 });
    const rds = fakes.client(fake);
    for (const id of ['db1', 'db2', 'db1', 'db2', 'db1']) await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    expect(fake.requests.map((r) => r.params['DBInstanceIdentifier'])).toEqual(['db1', 'db2', 'db1']);
    expect(fake.calls['DescribeDBInstances']).toBe(5);
  });

  it('answers an unknown or missing Action with a Query protocol error body', async () => {
    const fake = await fakes.start({ seed: SEED });
    const post = (body: string) => fetch(fake.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const unknown = await post('Action=DescribeNothing&Version=2014-10-31');
    expect(unknown.status).toBe(400);
    const text = await unknown.text();
    expect(text).toMatch(
      /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/,
    );
    expect(unknown.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await post('Version=2014-10-31');
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('<Code>MissingAction</Code>');
    expect(fake.calls).toEqual({ DescribeNothing: 1, '(missing)': 1 });
  });

  it('closes promptly while a delayed answer is still pending', async () => {
    const fake = await fakes.start({ seed: SEED });
    fake.addFault({ kind: 'delay', ms: 30_000 });
    const rds = fakes.client(fake);
    const pending = rejectionOf(rds.send(new DescribeDBInstancesCommand({})));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await fake.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((await pending).message).toMatch(/socket hang up|ECONNRESET/);
  });
});
