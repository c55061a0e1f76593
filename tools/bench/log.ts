const startedAt = Date.now();

/** Progress on stdout, stamped with seconds since the run began. */
export function log(message: string): void {
  process.stdout.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

export function elapsedSeconds(): number {
  return (Date.now() - startedAt) / 1000;
}
