// Test preload (node --import): on SIGUSR2, writes an enumerable property onto Object.prototype,
// the damage sidecart's readiness check must notice whatever caused it.
process.on('SIGUSR2', () => {
  Object.prototype.sidecartPolluted = true;
});
