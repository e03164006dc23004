// Test preload (node --import): on SIGUSR2, writes an enumerable property onto Object.prototype,
// the damage sidecart's readiness check must notice whatever caused it.
globalThis.process.on('SIGUSR2', () => {
  Object.prototype.sidecartPolluted = true;
});
