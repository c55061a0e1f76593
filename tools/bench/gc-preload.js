// Benchmark only (preloaded into the stack's services by tools/bench/run.ts): lets the bench ask a
// service for a full garbage collection with SIGURG (ignored by default; SIGWINCH is the profiler's) before it reads memory, so per-device figures
// show what a connection keeps, not garbage the collector has not reached yet.
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
process.on('SIGURG', () => {
  gc();
  gc();
});
