'use strict';
/**
 * Type-checks TypeScript files with the `typescript` devDependency (pinned in package.json): strict, no
 * output, module and resolution `nodenext` (so packages resolve through package.json `exports`).
 */
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const PACKAGE = require.resolve('typescript/package.json', { paths: [path.join(__dirname, '..', '..', '..')] });
/** The package's own `tsc` (its `bin`; `exports` does not list it). */
const TSC = path.join(path.dirname(PACKAGE), require(PACKAGE).bin.tsc);

/**
 * @param {string} cwd the project folder (its node_modules are what imports resolve to)
 * @param {string[]} files relative to cwd
 * @returns {{status: number|null, output: string}}
 */
function typeCheck(cwd, files) {
  const r = spawnSync(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', ...files], { cwd, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? r.error.message : ''}` };
}

module.exports = { typeCheck, TSC };
