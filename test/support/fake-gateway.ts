/** A small hand-written RdsGateway for runner tests: in-memory databases, recorded writes. */
import type { ApiStats, RdsGateway, SnapshotQuotas, StartExportRequest } from '../../src/aws/rds-gateway.js';
import type { Database, ExportTask, Snapshot, Tags } from '../../src/core/types.js';

export class FakeGateway implements RdsGateway {
  readonly writes: string[] = [];
  /** Called before each create; may throw or wait. */
  beforeCreate: (db: Database) => Promise<void> = async () => {};

  constructor(
    readonly databases: Database[] = [],
    readonly snapshots: Snapshot[] = [],
    readonly exportTasks: ExportTask[] = [],
  ) {}

  async *instancePages(): AsyncIterable<Database[]> {
    yield this.databases.filter((d) => d.kind === 'instance');
  }
  async *clusterPages(): AsyncIterable<Database[]> {
    yield this.databases.filter((d) => d.kind === 'cluster');
  }
  async *manualSnapshotPages(kind: Snapshot['kind'], of?: Database): AsyncIterable<Snapshot[]> {
    yield this.snapshots.filter((s) => s.kind === kind && (of === undefined || s.dbResourceId === of.resourceId));
  }
  async describeSnapshot(kind: Snapshot['kind'], id: string): Promise<Snapshot | undefined> {
    return this.snapshots.find((s) => s.kind === kind && s.id === id);
  }
  async findDatabases(id: string): Promise<{ instance?: Database; cluster?: Database }> {
    const instance = this.databases.find((d) => d.kind === 'instance' && d.id === id);
    const cluster = this.databases.find((d) => d.kind === 'cluster' && d.id === id);
    return { ...(instance === undefined ? {} : { instance }), ...(cluster === undefined ? {} : { cluster }) };
  }
  async createSnapshot(db: Database, snapshotId: string, _tags: Tags): Promise<'created' | 'exists'> {
    await this.beforeCreate(db);
    this.writes.push(`create ${snapshotId}`);
    return 'created';
  }
  async copySnapshot(kind: Snapshot['kind'], sourceArn: string, targetId: string): Promise<'copied' | 'exists'> {
    this.writes.push(`copy ${kind} ${sourceArn} ${targetId}`);
    return 'copied';
  }
  async deleteSnapshot(s: { id: string }): Promise<'deleted' | 'gone'> {
    this.writes.push(`delete ${s.id}`);
    return 'deleted';
  }
  async tagResource(arn: string, tags: Tags): Promise<void> {
    this.writes.push(`tag ${arn} ${JSON.stringify(tags)}`);
  }
  async snapshotQuotas(): Promise<SnapshotQuotas> {
    return {};
  }
  async *exportTaskPages(): AsyncIterable<ExportTask[]> {
    yield this.exportTasks;
  }
  async startExportTask(request: StartExportRequest): Promise<'started' | 'exists'> {
    this.writes.push(`export ${request.exportTaskId} ${request.sourceArn}`);
    return 'started';
  }
  stats(): ApiStats {
    return { calls: 0, retries: 0, byOperation: {} };
  }
  /** AWS's clock minus the pod's, as the SDK would measure it. */
  offsetMs = 0;
  clockOffsetMs(): number {
    return this.offsetMs;
  }
}
