// Preloaded into every service the stack launcher starts: when the launcher's stdin pipe to us
// closes (the launcher exited or crashed), shut down gracefully instead of lingering.
if (process.env.SIGNOFF_PARENT_WATCHDOG === '1' && !process.stdin.isTTY) {
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.resume();
  process.stdin.unref?.();
}
