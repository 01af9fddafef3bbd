import { main } from '../src/cli/main.js';
import { takeSnapshotsJob } from '../src/jobs/take-snapshots.js';

main(takeSnapshotsJob);
