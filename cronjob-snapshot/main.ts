import { main } from '../src/cli/main.js';
import { cronjobSnapshotJob } from '../src/jobs/cronjob-snapshot.js';

main(cronjobSnapshotJob);
