// Preloaded with `node --require` by the benchmark: prints the process's peak RSS at exit, and the
// peak of the V8 heap in use (sampled every 25 ms), so a report can tell live data from the rest.
let peakHeapUsed = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
}, 25);
sampler.unref();
process.on('exit', () => {
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
  process.stderr.write(`MAXRSS_KB=${process.resourceUsage().maxRSS}\nPEAK_HEAP_USED_KB=${Math.round(peakHeapUsed / 1024)}\n`);
});
