/**
 * Ends every jest run with the plain line `N passed, N failed` (and skipped, if any), which
 * CI reads to tell a run that tested something from one that tested nothing.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // A suite that fails to load runs no test, yet it failed.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    // After jest's own summary, so that it is the run's closing line.
    process.once('exit', () => process.stderr.write(`${line}\n`));
  }
}

module.exports = SummaryReporter;
