#!/usr/bin/env node
'use strict';
// Syntax check for Bicep with tree-sitter-bicep (no Bicep compiler runs here). Parses every
// .bicep file under infra/ (or the files given as arguments) and exits 1 naming file:line:column
// of every ERROR or MISSING node. It checks syntax only: types, scopes and API versions are for
// `bicep lint` / `az deployment group what-if` in the deploy pipeline.
const fs = require('fs');
const path = require('path');
const { repoRoot, bicepParser, listFiles, rel } = require('./lib');

function problems(tree) {
  const found = [];
  const visit = (node) => {
    if (node.type === 'ERROR' || node.isMissing) {
      found.push(node);
      if (node.type === 'ERROR') return; // children of an ERROR add nothing useful
    }
    if (!node.hasError && !node.isMissing) return;
    for (let i = 0; i < node.childCount; i++) visit(node.child(i));
  };
  visit(tree.rootNode);
  return found;
}

function main(argv) {
  const files = argv.length > 0
    ? argv.map((f) => path.resolve(f))
    : listFiles(path.join(repoRoot, 'infra'), '.bicep');
  if (files.length === 0) {
    console.error('error: no .bicep files found');
    return 1;
  }
  const parser = bicepParser();
  let failures = 0;
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    // tree-sitter's default input buffer is 32 KiB; give it room for bigger files.
    const tree = parser.parse(source, null, { bufferSize: Math.max(32 * 1024, source.length * 2 + 1024) });
    const found = problems(tree);
    if (found.length === 0) {
      console.log(`ok    ${rel(file)}`);
      continue;
    }
    failures++;
    for (const node of found) {
      const { row, column } = node.startPosition;
      const line = source.split('\n')[row] ?? '';
      const what = node.isMissing ? `MISSING ${node.type}` : 'ERROR (unexpected syntax)';
      console.log(`FAIL  ${rel(file)}:${row + 1}:${column + 1}: ${what}`);
      console.log(`        ${line.trim()}`);
    }
  }
  console.log(`${files.length - failures} passed, ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
