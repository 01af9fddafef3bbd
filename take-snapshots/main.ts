import { main } from '../src/cli/main.js';
import { takeSnapshots } from '../src/jobs/take-snapshots.js';

main({ name: 'take-snapshots', summary: "takes the snapshots that each database's snapshot_schedule tag says are due", run: takeSnapshots });
