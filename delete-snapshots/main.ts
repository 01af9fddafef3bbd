import { main } from '../src/cli/main.js';
import { deleteSnapshotsJob } from '../src/jobs/delete-snapshots.js';

main(deleteSnapshotsJob);
