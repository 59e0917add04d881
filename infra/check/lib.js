'use strict';
// Shared helpers for the infrastructure checks: locating the repository, loading the pinned
// npm packages with a clear message when `npm ci` has not been run, and printing results.
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..');

function requireDev(name) {
  try {
    return require(require.resolve(name, { paths: [repoRoot] }));
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') {
      console.error(`error: npm package '${name}' is not installed. Run \`npm ci\` in ${repoRoot} first.`);
      process.exit(2);
    }
    throw err;
  }
}

/** Prints check results (a table, or JSON with --json) and sets the exit code: shared by the check scripts. */
function printResults(results) {
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  } else {
    for (const r of results) {
      console.log(`${r.passed ? 'ok  ' : 'FAIL'}  ${r.name}`);
      for (const p of r.problems) console.log(`        ${p}`);
    }
    const failed = results.filter((r) => !r.passed).length;
    console.log(`${results.length - failed} passed, ${failed} failed`);
  }
  process.exitCode = results.every((r) => r.passed) ? 0 : 1;
}

module.exports = { printResults, repoRoot, requireDev };
