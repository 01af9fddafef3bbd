import { main } from '../src/cli/main.js';
import { cronjobSnapshot } from '../src/jobs/cronjob-snapshot.js';

main({ name: 'cronjob-snapshot', summary: "snapshots the one database named by RDS_INSTANCE_ID, on the CronJob's schedule", run: cronjobSnapshot });
