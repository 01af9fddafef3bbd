// Preloaded with `node --require` by the benchmark: prints the process's peak RSS at exit.
process.on('exit', () => {
  process.stderr.write(`MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
