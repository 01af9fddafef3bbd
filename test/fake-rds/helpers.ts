import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';
import { afterEach } from 'vitest';
import { type FakeRds, type FakeRdsOptions, startFakeRds } from '../support/fake-rds/index';

export const REGION = 'eu-north-1';
export const ACCOUNT = '123456789012';

/** A real RDSClient pointed at the fake, with dummy credentials. */
function rdsClient(fake: FakeRds, config: RDSClientConfig = {}): RDSClient {
  return new RDSClient({
    region: REGION,
    endpoint: fake.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...config,
  });
}

/**
 * Starts a fake for one test and closes it (and the clients made with `client`)
 * after the test.
 */
export function useFakeRds(): {
  start(options?: FakeRdsOptions): Promise<FakeRds>;
  client(fake: FakeRds, config?: RDSClientConfig): RDSClient;
} {
  const fakes: FakeRds[] = [];
  const clients: RDSClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  return {
    async start(options) {
      const fake = await startFakeRds(options);
      fakes.push(fake);
      return fake;
    },
    client(fake, config) {
      const c = rdsClient(fake, config);
      clients.push(c);
      return c;
    },
  };
}

/** The rejection of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export const arn = (type: 'db' | 'cluster' | 'snapshot' | 'cluster-snapshot', id: string): string => `arn:aws:rds:${REGION}:${ACCOUNT}:${type}:${id}`;

/** Tag values that must survive XML escaping and UTF-8 both ways. */
export const AWKWARD_TAGS: Record<string, string> = {
  'xml&special': `a & b < c > d "quoted" 'single'`,
  'unicode-ключ-鍵': 'ünïcødé 日本語 😀 emoji',
  'cdata-ish': ']]> <![CDATA[ x ]]>',
  'entity-lookalike': '&amp; &lt; &#x41; &bogus;',
  'carriage\rreturn': 'line1\r\nline2\nline3',
  'empty-value': '',
  'spaces around': '  padded  ',
};
