'use strict';
// Shared helpers for the infrastructure checks: locating the repository, loading the pinned
// npm parsers with a clear message when `npm ci` has not been run, and listing Bicep files.
const fs = require('fs');
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

function bicepParser() {
  const Parser = requireDev('tree-sitter');
  const Bicep = requireDev('tree-sitter-bicep');
  const parser = new Parser();
  parser.setLanguage(Bicep);
  return parser;
}

function listFiles(dir, suffix, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listFiles(full, suffix, out);
    else if (entry.name.endsWith(suffix)) out.push(full);
  }
  return out.sort();
}

function rel(file) {
  return path.relative(repoRoot, file).split(path.sep).join('/');
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

module.exports = { printResults, repoRoot, requireDev, bicepParser, listFiles, rel };
