/**
 * An in-memory, RDS-compatible HTTP endpoint for tests: the AWS Query protocol
 * (form-encoded POST, XML answers) for the operations the snapshot jobs use, with
 * injectable faults. Point a real RDSClient at `url` with dummy credentials;
 * request signatures are not checked.
 *
 *   const fake = await startFakeRds({ seed: { instances: [{ id: 'db1', tags: { a: 'b' } }] } });
 *   const rds = new RDSClient({ region: 'eu-north-1', endpoint: fake.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
 *
 * Test support only: not product code.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RdsError } from './errors';
import { type ExportFailure, ExportStore, type ExportTiming, type ExportView } from './exports';
import { type Fault, FaultPlan, seededRandom, type TerminalFault } from './faults';
import { HANDLERS, type HandlerContext } from './handlers';
import { type Params, parseForm } from './params';
import { RdsState, type Seed, type SeedSnapshot } from './state';
import { RateLimit, TAGGING_TARGET_PREFIX, TaggingError, type TaggingFailure, tagResources, taggingErrorBody } from './tagging';
import { errorXml, successXml } from './xml';

export type { Fault } from './faults';
export type { Seed, SeedSnapshot } from './state';

export interface FakeRdsOptions {
  seed?: Seed;
  /** The fake's clock. When absent the clock is the real time until `setNow` is called. */
  now?: Date;
  /** Milliseconds added to every answer. */
  latencyMs?: number;
  /** Seed of the PRNG behind probability faults (default 1). */
  randomSeed?: number;
  /** Status of snapshots made by CreateDB(Cluster)Snapshot; default `available`. */
  snapshotStatusOnCreate?: 'available' | 'creating';
  /** Port to listen on (127.0.0.1); default 0, any free port. */
  port?: number;
  /** Keep only the newest N entries in `requests`; unlimited by default. */
  requestLogLimit?: number;
  /**
   * Other regions, each with its own state (the seed is the home region's). A request works on the
   * region its SigV4 credential scope names; a region not seeded starts empty.
   */
  regions?: Record<string, Seed>;
  /** How long a copy stays `creating` on the fake's clock; default 60 minutes. */
  copyMinutes?: number;
  /** Copies in progress into one region at a time; default 20 (the RDS user guide's limit). */
  copyLimitPerRegion?: number;
  /** When set, the KMS keys that exist per region; a copy naming any other key fails with KMSKeyNotAccessibleFault. */
  kmsKeys?: Record<string, string[]>;
  /** How long an export stays STARTING, IN_PROGRESS and CANCELING (defaults 15 min, 3 h, 5 min of the fake's clock). */
  exportTiming?: ExportTiming;
  /**
   * How far the endpoint's wall clock is ahead of the machine's (negative: behind), in ms; default 0.
   * It sets every answer's `Date` header (which the SDK measures its clock skew from) and the time
   * signatures are checked against; it does not move the simulated `now` that stamps snapshots.
   */
  clockSkewMs?: number;
  /**
   * Resource Groups Tagging API calls allowed a second (a token bucket with bursts of as many);
   * a call over it answers ThrottledException. Unlimited by default.
   */
  taggingCallsPerSecond?: number;
}

interface RecordedRequest {
  action: string;
  /** The region of the request's credential scope. */
  region: string;
  params: Record<string, string>;
}

interface FakeInstance {
  id: string;
  status: string;
  clusterId?: string;
  resourceId: string;
  arn: string;
  tags: Record<string, string>;
}

interface FakeCluster {
  id: string;
  status: string;
  resourceId: string;
  arn: string;
  members: string[];
  tags: Record<string, string>;
}

interface FakeSnapshot {
  id: string;
  kind: 'instance' | 'cluster';
  dbId: string;
  dbResourceId: string;
  type: string;
  status: string;
  createdAt: Date;
  arn: string;
  encrypted: boolean;
  /** For a copy: the ARN it was copied from. */
  copyOf?: string;
  tags: Record<string, string>;
}

export interface FakeRds {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests per Action, faulted ones included. */
  readonly calls: Record<string, number>;
  /** Every request in arrival order (bounded by `requestLogLimit`). */
  readonly requests: RecordedRequest[];
  /** How many requests a fault applied to (delays included). */
  readonly faultsInjected: number;
  setNow(at: Date): void;
  /** Moves the endpoint's wall clock (`Date` headers, signature checks) this far from the machine's. */
  setClockSkew(ms: number): void;
  addFault(fault: Fault): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Zeroes calls, requests and faultsInjected. */
  resetCounters(): void;
  /** Sorted by id. */
  instances(): FakeInstance[];
  clusters(): FakeCluster[];
  /** Instance snapshots, then cluster snapshots, each sorted by id; of the home region unless another is named. */
  snapshots(region?: string): FakeSnapshot[];
  setInstanceStatus(id: string, status: string): void;
  setClusterStatus(id: string, status: string): void;
  /** Sets the status of the instance snapshot with this id, else of the cluster snapshot (home region unless named). */
  setSnapshotStatus(id: string, status: string, region?: string): void;
  /** Makes TagResources report this ARN in FailedResourcesMap (undefined: tag it normally again). */
  setTaggingFailure(arn: string, failure: TaggingFailure | undefined): void;
  /** Removes the instance (and its cluster membership); its snapshots stay. */
  deleteInstance(id: string): void;
  /** Renames a standalone instance; its resource id stays (a Blue/Green switchover). */
  renameInstance(from: string, to: string): void;
  /** Adds a snapshot (seed format) while running; createdAt defaults to the fake's now. */
  addSnapshot(snapshot: SeedSnapshot): void;
  /** Export tasks, sorted by id, with the status they have at the fake's now. */
  exportTasks(): ExportView[];
  /** Makes the next matching exports end FAILED with this cause (checked in the order added). */
  failExports(failure: ExportFailure): void;
  close(): Promise<void>;
}

const MISSING_ACTION = '(missing)';

export async function startFakeRds(options: FakeRdsOptions = {}): Promise<FakeRds> {
  let fixedNow = options.now === undefined ? undefined : new Date(options.now);
  const now = (): Date => (fixedNow === undefined ? new Date() : new Date(fixedNow));
  const state = new RdsState(options.seed ?? {}, now());
  const states = new Map<string, RdsState>([[state.region, state]]);
  for (const [region, seed] of Object.entries(options.regions ?? {})) {
    states.set(region, new RdsState({ accountId: state.accountId, ...seed, region }, now()));
  }
  const stateIn = (region: string): RdsState => {
    let found = states.get(region);
    if (found === undefined) {
      found = new RdsState({ accountId: state.accountId, region }, now());
      states.set(region, found);
    }
    return found;
  };
  const exports = new ExportStore(options.exportTiming);
  exports.seed(options.seed?.exportTasks ?? [], now());
  const faults = new FaultPlan(seededRandom(options.randomSeed ?? 1));
  const ctx: Omit<HandlerContext, 'state'> = {
    stateIn,
    exports,
    now,
    snapshotStatusOnCreate: options.snapshotStatusOnCreate ?? 'available',
    copies: {
      durationMs: (options.copyMinutes ?? 60) * 60_000,
      limitPerRegion: options.copyLimitPerRegion ?? 20,
      kmsKeys: options.kmsKeys,
    },
  };
  const logLimit = options.requestLogLimit ?? Number.POSITIVE_INFINITY;
  let latencyMs = options.latencyMs ?? 0;
  let clockSkewMs = options.clockSkewMs ?? 0;
  /** AWS's wall clock, as this endpoint plays it: what `Date` headers say and signatures are checked against. */
  const wallClock = (): Date => new Date(Date.now() + clockSkewMs);
  let calls: Record<string, number> = {};
  let requests: RecordedRequest[] = [];
  let faultsInjected = 0;
  let closed = false;
  const taggingFailures = new Map<string, TaggingFailure>();
  const taggingLimit = options.taggingCallsPerSecond === undefined ? undefined : new RateLimit(options.taggingCallsPerSecond);
  const sockets = new Set<Socket>();
  const sleepers = new Set<() => void>();

  /** A sleep that `close()` cuts short. */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const send = (res: ServerResponse, status: number, body: string, requestId: string): void => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, {
      date: wallClock().toUTCString(),
      'content-type': 'text/xml',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
    });
    res.end(body);
  };

  const faultAnswer = (fault: Exclude<TerminalFault, { kind: 'drop' }>): RdsError => {
    switch (fault.kind) {
      case 'throttle':
        return new RdsError('Throttling', 'Rate exceeded', 400);
      case 'status':
        return fault.status === 503
          ? new RdsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503)
          : new RdsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
      case 'error':
        return new RdsError(fault.code, fault.message ?? `${fault.code} (injected by fake-rds)`, fault.status);
    }
  };

  const answer = (action: string, params: Params, requestId: string, region: string): { status: number; body: string } => {
    try {
      if (action === '') throw new RdsError('MissingAction', 'The request must contain the parameter Action');
      const handler = HANDLERS[action];
      if (handler === undefined) throw new RdsError('InvalidAction', `Could not find operation ${action} for version 2014-10-31`);
      const regionState = stateIn(region);
      regionState.settleCopies(now());
      return { status: 200, body: successXml(action, handler(params, { ...ctx, state: regionState }), requestId) };
    } catch (error) {
      if (error instanceof RdsError) return { status: error.status, body: errorXml(error.type, error.code, error.message, requestId) };
      // A bug in the fake: answer like the real service would, but say what broke.
      const message = `fake-rds internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      return { status: 500, body: errorXml('Receiver', 'InternalFailure', message, requestId) };
    }
  };

  const faultBody = (error: RdsError, requestId: string): { status: number; body: string } => ({
    status: error.status,
    body: errorXml(error.type, error.code, error.message, requestId),
  });

  const sendJson = (res: ServerResponse, status: number, body: string, requestId: string): void => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, {
      date: wallClock().toUTCString(),
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
    });
    res.end(body);
  };

  const taggingFaultError = (fault: Exclude<TerminalFault, { kind: 'drop' }>): TaggingError => {
    switch (fault.kind) {
      case 'throttle':
        return new TaggingError('ThrottledException', 'Rate exceeded');
      case 'status':
        return new TaggingError(
          fault.status === 503 ? 'ServiceUnavailable' : 'InternalServiceException',
          'The request processing failed.',
          fault.status,
        );
      case 'error':
        return new TaggingError(fault.code, fault.message ?? `${fault.code} (injected by fake-rds)`, fault.status ?? 400);
    }
  };

  /** The Resource Groups Tagging API stand-in (JSON 1.1, operation in X-Amz-Target). */
  const handleTagging = async (req: IncomingMessage, res: ServerResponse, target: string, raw: string): Promise<void> => {
    const action = target.startsWith(TAGGING_TARGET_PREFIX) ? target.slice(TAGGING_TARGET_PREFIX.length) : target;
    const requestId = randomUUID();
    let body: unknown;
    try {
      body = JSON.parse(raw === '' ? '{}' : raw);
    } catch {
      body = undefined;
    }
    const { ResourceARNList, Tags } = (body ?? {}) as { ResourceARNList?: unknown; Tags?: unknown };
    const params = { ResourceARNList: JSON.stringify(ResourceARNList ?? null), Tags: JSON.stringify(Tags ?? null) };
    // Like RDS: the region the request is signed for (its resources are that region's).
    const region = /Credential=[^/,]+\/\d{8}\/([a-z0-9-]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? state.region;
    calls[action] = (calls[action] ?? 0) + 1;
    requests.push({ action, region, params });
    if (requests.length > logLimit) requests.splice(0, requests.length - logLimit);

    // The same clock as the RDS answers, checked first like AWS; nothing changes. UNCONFIRMED: that
    // the Tagging API answers as other JSON services do (InvalidSignatureException). The SDK
    // corrects its clock offset from the Date header and retries.
    const skewed = signatureTimeProblem(req.headers['x-amz-date'], wallClock());
    if (skewed !== undefined) {
      sendJson(res, 403, taggingErrorBody(new TaggingError('InvalidSignatureException', skewed, 403)), requestId);
      return;
    }
    const decision = faults.decide(action, params, region);
    if (decision.injected) faultsInjected++;
    const terminal = decision.terminal;
    if (terminal?.kind === 'drop') {
      if (latencyMs > 0) await sleep(latencyMs);
      req.socket.destroy();
      return;
    }
    let status = 200;
    let answerBody: string;
    try {
      if (terminal !== undefined) throw taggingFaultError(terminal);
      if (taggingLimit !== undefined && !taggingLimit.take()) throw new TaggingError('ThrottledException', 'Rate exceeded');
      if (body === undefined) throw new TaggingError('SerializationException', 'The request body is not JSON');
      if (action !== 'TagResources') throw new TaggingError('UnknownOperationException', `The stand-in answers TagResources only, not ${action}`);
      answerBody = tagResources(body, { ...ctx, state: stateIn(region) }, taggingFailures);
    } catch (error) {
      const failure =
        error instanceof TaggingError
          ? error
          : new TaggingError(
              'InternalServiceException',
              `fake-rds internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
              500,
            );
      status = failure.status;
      answerBody = taggingErrorBody(failure);
    }
    const wait = latencyMs + decision.delayMs;
    if (wait > 0) await sleep(wait);
    if (closed) {
      req.socket.destroy();
      return;
    }
    sendJson(res, status, answerBody, requestId);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') return handleTagging(req, res, target, Buffer.concat(chunks).toString('utf8'));
    const query = (req.url ?? '/').split('?')[1] ?? '';
    const params = parseForm(query, Buffer.concat(chunks).toString('utf8'));
    const action = params['Action'] ?? '';
    const requestId = randomUUID();
    // SigV4: Credential=<key>/<date>/<region>/rds/aws4_request. Unsigned requests work on the home region.
    const region = /Credential=[^/,]+\/\d{8}\/([a-z0-9-]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? state.region;

    const key = action === '' ? MISSING_ACTION : action;
    calls[key] = (calls[key] ?? 0) + 1;
    requests.push({ action: key, region, params });
    if (requests.length > logLimit) requests.splice(0, requests.length - logLimit);

    const skewed = signatureTimeProblem(req.headers['x-amz-date'], wallClock());
    if (skewed !== undefined) {
      // Checked first, like AWS; nothing changes. The SDK corrects its clock offset and retries.
      const { status, body } = faultBody(new RdsError('SignatureDoesNotMatch', skewed, 403), requestId);
      send(res, status, body, requestId);
      return;
    }
    const decision = faults.decide(action, params, region);
    if (decision.injected) faultsInjected++;
    const terminal = decision.terminal;

    if (terminal?.kind === 'drop') {
      if (latencyMs > 0) await sleep(latencyMs);
      req.socket.destroy();
      return;
    }
    // The state changes now; only the answer waits (a late answer to a create still created it).
    const { status, body } = terminal === undefined ? answer(action, params, requestId, region) : faultBody(faultAnswer(terminal), requestId);
    const wait = latencyMs + decision.delayMs;
    if (wait > 0) await sleep(wait);
    if (closed) {
      req.socket.destroy();
      return;
    }
    send(res, status, body, requestId);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, 500, errorXml('Receiver', 'InternalFailure', `fake-rds: ${String(error)}`, randomUUID()), 'fake-rds');
      }
    });
  });
  server.keepAliveTimeout = 5_000;
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

  const tagsOf = (tags: Map<string, string>): Record<string, string> => Object.fromEntries(tags);
  const mustGet = <T>(map: Map<string, T>, id: string, noun: string): T => {
    const found = map.get(id.toLowerCase());
    if (found === undefined) throw new Error(`fake-rds: no ${noun} ${id}`);
    return found;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    get requests() {
      return requests;
    },
    get faultsInjected() {
      return faultsInjected;
    },
    setNow(at) {
      fixedNow = new Date(at);
    },
    setClockSkew(ms) {
      clockSkewMs = ms;
    },
    addFault(fault) {
      faults.add(fault);
    },
    clearFaults() {
      faults.clear();
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    resetCounters() {
      calls = {};
      requests = [];
      faultsInjected = 0;
    },
    instances() {
      return state.instanceIds.values().map((id) => {
        const r = mustGet(state.instances, id, 'instance');
        return {
          id: r.id,
          status: r.status,
          ...(r.clusterId === undefined ? {} : { clusterId: r.clusterId }),
          resourceId: r.resourceId,
          arn: r.arn,
          tags: tagsOf(r.tags),
        };
      });
    },
    clusters() {
      return state.clusterIds.values().map((id) => {
        const r = mustGet(state.clusters, id, 'cluster');
        return { id: r.id, status: r.status, resourceId: r.resourceId, arn: r.arn, members: [...r.members].sort(), tags: tagsOf(r.tags) };
      });
    },
    snapshots(region = state.region) {
      const regionState = stateIn(region);
      regionState.settleCopies(now());
      return [regionState.snapshots, regionState.clusterSnapshots].flatMap((store) =>
        store.all.values().map((id) => {
          const r = mustGet(store.byId, id, 'snapshot');
          return {
            id: r.id,
            kind: r.kind,
            dbId: r.dbId,
            dbResourceId: r.dbResourceId,
            type: r.type,
            status: r.status,
            createdAt: new Date(r.createdAt),
            arn: r.arn,
            encrypted: r.encrypted,
            ...(r.copy === undefined ? {} : { copyOf: r.copy.sourceArn }),
            tags: tagsOf(r.tags),
          };
        }),
      );
    },
    setInstanceStatus(id, status) {
      mustGet(state.instances, id, 'instance').status = status;
    },
    setClusterStatus(id, status) {
      mustGet(state.clusters, id, 'cluster').status = status;
    },
    setTaggingFailure(arn, failure) {
      if (failure === undefined) taggingFailures.delete(arn);
      else taggingFailures.set(arn, failure);
    },
    setSnapshotStatus(id, status, region = state.region) {
      const key = id.toLowerCase();
      const regionState = stateIn(region);
      const record = regionState.snapshots.byId.get(key) ?? regionState.clusterSnapshots.byId.get(key);
      if (record === undefined) throw new Error(`fake-rds: no snapshot ${id}`);
      record.status = status;
    },
    deleteInstance(id) {
      state.deleteInstance(id);
    },
    renameInstance(from, to) {
      state.renameInstance(from, to);
    },
    addSnapshot(snapshot) {
      state.addSnapshot(snapshot, now());
    },
    exportTasks() {
      const at = now();
      return exports.ids.values().map((id) => exports.view(exports.byId.get(id) as NonNullable<ReturnType<typeof exports.byId.get>>, at));
    },
    failExports(failure) {
      exports.failExports(failure);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const wake of [...sleepers]) wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** AWS refuses a signature more than 15 minutes from its own clock. */
const SIGNATURE_WINDOW_MS = 15 * 60_000;

/**
 * Why a request's signing time (`X-Amz-Date`, `20261126T020500Z`) is refused, or undefined when it
 * is within 15 minutes of `now` (or absent: requests made by hand are not signed). The wording
 * follows what AWS Query APIs answer; UNCONFIRMED for RDS in particular.
 */
function signatureTimeProblem(header: string | string[] | undefined, now: Date): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const signedMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const stamp = (ms: number): string =>
    new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  if (signedMs < now.getTime() - SIGNATURE_WINDOW_MS) {
    return `Signature expired: ${value} is now earlier than ${stamp(now.getTime() - SIGNATURE_WINDOW_MS)} (${stamp(now.getTime())} - 15 min.)`;
  }
  if (signedMs > now.getTime() + SIGNATURE_WINDOW_MS) {
    return `Signature not yet current: ${value} is still later than ${stamp(now.getTime() + SIGNATURE_WINDOW_MS)} (${stamp(now.getTime())} + 15 min.)`;
  }
  return undefined;
}
