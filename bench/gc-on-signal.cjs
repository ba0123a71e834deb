// Bench harness only (node -r): a full garbage collection on SIGUSR2, so the memory scenario reads
// what the process keeps, not garbage it has not collected yet. Needs --expose-gc.
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') global.gc();
});
