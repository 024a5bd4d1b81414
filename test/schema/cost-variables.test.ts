import { OperationDefinitionNode, parse } from 'graphql';
import { createSchema } from '../../src/schema/build-schema';
import { withoutBulkInputs } from '../../src/server';

/** The cost check coerces variables itself; bulk input lists are costed as empty lists, everything else as sent. */
describe('withoutBulkInputs', () => {
  const op = (src: string) => parse(src).definitions[0] as OperationDefinitionNode;

  test('empties lists of input objects, keeps scalars and scalar lists, does not touch the request', async () => {
    const schema = await createSchema();
    const operation = op(`mutation($p: ID!, $a: [AnnotationInput!]!, $n: Int, $ids: [ID!]) { submitAnnotations(projectId: $p, annotations: $a) { inserted } }`);
    const variables = { p: 'x', a: [{ externalId: 'e', annotator: 'w', label: 'a' }], n: 1000, ids: ['1', '2'] };
    const out = withoutBulkInputs(schema, operation, variables);
    expect(out).toEqual({ p: 'x', a: [], n: 1000, ids: ['1', '2'] });
    expect(variables.a).toHaveLength(1);
  });

  test('returns the same object when there is nothing to empty', async () => {
    const schema = await createSchema();
    const operation = op(`query($p: ID!, $n: Int!) { items(projectId: $p, first: $n) { totalCount } }`);
    const variables = { p: 'x', n: 5 };
    expect(withoutBulkInputs(schema, operation, variables)).toBe(variables);
    // A value that is not a list is left for execution to refuse.
    const bad = { p: 'x', a: 'oops' };
    expect(withoutBulkInputs(schema, op(`mutation($p: ID!, $a: [AnnotationInput!]!) { submitAnnotations(projectId: $p, annotations: $a) { inserted } }`), bad)).toBe(bad);
  });
});
