import { main } from '../src/cli/main.js';
import { exportSnapshotsJob } from '../src/jobs/export-snapshots.js';

main(exportSnapshotsJob);
