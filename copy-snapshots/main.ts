import { main } from '../src/cli/main.js';
import { copySnapshotsJob } from '../src/jobs/copy-snapshots.js';

main(copySnapshotsJob);
