/* global require */
/* eslint-disable @typescript-eslint/no-require-imports */
// Teaches this thread's (or process's) `require` to load Loupe's .ts sources by transpiling them one file at a time
// (typescript.transpileModule, the compiler options the build uses, no type check: `tsc` checks the tree). Used where
// code runs from the sources outside jest: compute threads under ts-jest, and test fixture processes.
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  inlineSourceMap: true,
};

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
    module._compile(outputText, filename);
  };
}
