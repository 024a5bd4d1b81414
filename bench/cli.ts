/** Small helpers shared by the benchmark scripts. */

/** The value after `--name` on the command line, else `def`. */
export function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
}

/** One GraphQL request with a bearer key; throws the first error. */
export async function gql(url: string, key: string, query: string, variables: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
}
