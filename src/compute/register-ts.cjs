/* global require, process, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
// Teaches this thread's (or process's) `require` to load Loupe's .ts sources by transpiling them one file at a time
// (typescript.transpileModule, the compiler options the build uses, no type check: `tsc` checks the tree). Used where
// code runs from the sources outside jest: compute threads under ts-jest, and test fixture processes. Outputs are
// cached on disk by a hash of the source (node_modules/.cache/loupe-ts), so each new thread or process does not
// transpile the same files again.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'loupe-ts');
const OPTIONS_VERSION = '1';
let ts = null; // loaded on the first cache miss only

function compilerOptions() {
  return {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    inlineSourceMap: true,
  };
}

function transpile(source, filename) {
  const key = crypto.createHash('sha256').update(OPTIONS_VERSION).update('\0').update(filename).update('\0').update(source).digest('hex');
  const file = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // not cached yet
  }
  ts ??= require('typescript');
  const { outputText } = ts.transpileModule(source, { compilerOptions: compilerOptions(), fileName: filename });
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    // Written under a unique name, then renamed: a reader never sees half a file.
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, outputText);
    fs.renameSync(tmp, file);
  } catch {
    // a read-only tree: transpile every time
  }
  return outputText;
}

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = (module, filename) => {
    module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
}
