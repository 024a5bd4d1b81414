/**
 * The server and the CLIs run in production mode unless NODE_ENV says otherwise. Imported first by the entry points:
 * graphql-js reads NODE_ENV once when it loads, and outside production its type checks (isListType, isInputObjectType,
 * … called for every value of every input) take a slow path meant to catch two copies of graphql in one process.
 * Nothing else of ours depends on it: introspection, the landing page and stack traces are configured explicitly.
 * Tests run with NODE_ENV=test (jest sets it), so the development checks stay on there.
 */
process.env.NODE_ENV ??= 'production';
