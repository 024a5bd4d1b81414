/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  setupFiles: ['reflect-metadata'],
  // The migrated and the seeded demo databases, built once per run and copied by each test file.
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // Test files run inside a vm context, where every read of a global (Math.imul, Number.isFinite, new Float32Array)
  // goes through the context's interceptors: ~100x slower than in plain Node (nodejs/node#31658, jestjs/jest#5163).
  // Numeric kernels read these in their inner loops (the text featurizer hashes with Math.imul), which made the demo
  // pipeline 20x slower under jest than built. Injected globals are passed to every module as function parameters,
  // so their reads are plain variable reads. Only names no module redeclares at top level may be listed here.
  sandboxInjectedGlobals: [
    'Math', 'Number', 'Array', 'Object', 'Map', 'Set', 'ArrayBuffer',
    'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint16Array', 'Uint32Array',
  ],
  // Integration tests start a server and a database per worker; two cores here.
  maxWorkers: 2,
  // No test or hook may need more than 60 s, on a loaded 2-core machine included.
  testTimeout: 60_000,
};
