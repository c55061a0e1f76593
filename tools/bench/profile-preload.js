// Diagnostic only (BENCH_PROFILE=1): preloaded into the stack's services through NODE_OPTIONS.
// The first SIGWINCH starts V8's sampling profiler, the second writes
// `<BENCH_PROFILE_DIR>/<service>-<pid>.cpuprofile` (open it in Chrome DevTools, or run
// tools/bench/profile-summary.ts on it). SIGWINCH: ignored by default and not among the signals Nest's shutdown hooks act on (SIGUSR2 is).
'use strict';
const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const inspector = require('node:inspector');
  const { writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  const session = new inspector.Session();
  session.connect();
  let running = false;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error || !result) return;
      const name = (process.env.GATEWAY_ID || process.argv[process.argv.length - 1].split('/').slice(-3, -2)[0] || 'service').replace(/[^A-Za-z0-9_-]/g, '_');
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
