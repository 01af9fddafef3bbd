/**
 * prom-client's Gauge, Registry and Pushgateway, each from its own module (`prom-client/lib/...`,
 * which the package does not close off with an `exports` map) rather than from the package index,
 * which also loads the cluster aggregator, the default process metrics, histograms, summaries and
 * t-digest: 57 KB less in every bundle, and less to compile at cold start. The types are the
 * package's own; test/monitoring checks these modules are the classes the package exports.
 */
declare module 'prom-client/lib/gauge' {
  import { Gauge } from 'prom-client';
  export default Gauge;
}

declare module 'prom-client/lib/registry' {
  import { Registry } from 'prom-client';
  export default Registry;
}

declare module 'prom-client/lib/pushgateway' {
  import { Pushgateway } from 'prom-client';
  export default Pushgateway;
}
