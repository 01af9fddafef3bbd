/**
 * A small local S3 stand-in for export-snapshots' bucket checks: path-style HTTP
 * (`GET /<bucket>?location`, `GET /<bucket>?object-lock`), REST-XML answers and errors as S3 sends
 * them. Point the SDK at it with AWS_ENDPOINT_URL_S3 (a bundle) or `endpoint` + `forcePathStyle`
 * (a client). Request signatures are not checked. Test support only: not product code.
 *
 *   const s3 = await startFakeS3({ buckets: { 'rds-exports': { region: 'eu-north-1', objectLock: { mode: 'GOVERNANCE', days: 30 } } } });
 *
 * Shapes: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html and
 * API_GetObjectLockConfiguration.html; a bucket without Object Lock answers 404
 * ObjectLockConfigurationNotFoundError ("Object Lock configuration does not exist for this bucket").
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeBucket {
  /** Default us-east-1 (answered as an empty LocationConstraint, as S3 does). */
  region?: string;
  /**
   * Object Lock: absent = not enabled; `{}` = enabled without a default retention; with a mode, the
   * default retention in days or years.
   */
  objectLock?: { mode?: 'GOVERNANCE' | 'COMPLIANCE'; days?: number; years?: number };
}

export interface FakeS3Options {
  buckets?: Record<string, FakeBucket>;
  latencyMs?: number;
  port?: number;
}

/** Answers the next `times` requests of `operation` (every one when absent) with this error. */
interface S3Fault {
  operation?: 'GetBucketLocation' | 'GetObjectLockConfiguration';
  status: number;
  code: string;
  message?: string;
  times?: number;
}

export interface FakeS3 {
  readonly url: string;
  /** Requests per operation. */
  readonly calls: Record<string, number>;
  setBucket(name: string, bucket: FakeBucket | undefined): void;
  addFault(fault: S3Fault): void;
  resetCounters(): void;
  close(): Promise<void>;
}

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3> {
  const buckets = new Map(Object.entries(options.buckets ?? {}));
  const faults: Array<S3Fault & { remaining: number | undefined }> = [];
  let calls: Record<string, number> = {};
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': randomUUID() });
    res.end(body);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string, bucket: string): void =>
    send(
      res,
      status,
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><BucketName>${escapeXml(bucket)}</BucketName><RequestId>${randomUUID()}</RequestId></Error>`,
    );

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake-s3');
      const bucketName = decodeURIComponent(url.pathname.replace(/^\/+/, '').split('/')[0] ?? '');
      const operation = url.searchParams.has('location')
        ? 'GetBucketLocation'
        : url.searchParams.has('object-lock')
          ? 'GetObjectLockConfiguration'
          : undefined;
      const key = operation ?? `${req.method} ${url.pathname}${url.search}`;
      calls[key] = (calls[key] ?? 0) + 1;
      const answer = (): void => {
        if (req.method !== 'GET' || operation === undefined || bucketName === '') {
          error(res, 501, 'NotImplemented', 'fake-s3 answers only GetBucketLocation and GetObjectLockConfiguration, path-style', bucketName);
          return;
        }
        const fault = faults.find((f) => f.remaining !== 0 && (f.operation === undefined || f.operation === operation));
        if (fault !== undefined) {
          if (fault.remaining !== undefined) fault.remaining--;
          error(res, fault.status, fault.code, fault.message ?? `${fault.code} (injected by fake-s3)`, bucketName);
          return;
        }
        const bucket = buckets.get(bucketName);
        if (bucket === undefined) {
          error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', bucketName);
          return;
        }
        if (operation === 'GetBucketLocation') {
          const region = bucket.region ?? 'us-east-1';
          const location = region === 'us-east-1' ? '' : escapeXml(region);
          send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_XMLNS}">${location}</LocationConstraint>`);
          return;
        }
        const lock = bucket.objectLock;
        if (lock === undefined) {
          error(res, 404, 'ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket', bucketName);
          return;
        }
        const period = lock.days !== undefined ? `<Days>${lock.days}</Days>` : lock.years !== undefined ? `<Years>${lock.years}</Years>` : '';
        const rule = lock.mode === undefined ? '' : `<Rule><DefaultRetention><Mode>${lock.mode}</Mode>${period}</DefaultRetention></Rule>`;
        send(
          res,
          200,
          `<?xml version="1.0" encoding="UTF-8"?>\n<ObjectLockConfiguration xmlns="${S3_XMLNS}"><ObjectLockEnabled>Enabled</ObjectLockEnabled>${rule}</ObjectLockConfiguration>`,
        );
      };
      if ((options.latencyMs ?? 0) > 0) setTimeout(answer, options.latencyMs);
      else answer();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed = false;

  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    setBucket(name, bucket) {
      if (bucket === undefined) buckets.delete(name);
      else buckets.set(name, bucket);
    },
    addFault(fault) {
      faults.push({ ...fault, remaining: fault.times });
    },
    resetCounters() {
      calls = {};
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
