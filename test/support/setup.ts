// Loaded before every test file. Outside the Functions worker, @azure/functions prints a warning
// for each registration ("test mode"); tests that care about registrations install a virtual
// @azure/functions-core instead. Keep the noise out of the output without hiding real warnings.
const originalWarn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  const first = args[0];
  if (typeof first === 'string' && /Azure Functions runtime|because the "@azure\/functions" package is in test mode/.test(first)) {
    return;
  }
  originalWarn(...args);
};
