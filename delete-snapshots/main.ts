import { main } from '../src/cli/main.js';
import { deleteSnapshots } from '../src/jobs/delete-snapshots.js';

main({ name: 'delete-snapshots', summary: "deletes manual snapshots whose snapshot_expiry tag has passed, and nothing else", run: deleteSnapshots });
