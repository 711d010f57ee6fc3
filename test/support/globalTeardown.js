// Stops the local stack started by globalSetup (if this run started one).
module.exports = async function globalTeardown() {
  const stack = globalThis.__E2E_STACK__;
  if (stack !== undefined) await stack.stop();
};
