/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports */
// The compute thread's entry when Loupe runs from its TypeScript sources (ts-jest): loads worker.ts through the
// transpiling require hook. The built service loads dist/src/compute/worker.js directly and never uses this file.
'use strict';
require('./register-ts.cjs');
module.exports = require('./worker.ts');
