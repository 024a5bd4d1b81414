/** Small helpers shared by the benchmark scripts. */
import { Agent, request } from 'node:http';

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

/** One request on a kept-alive agent; resolves with the status and body, or rejects with the socket error. */
export function call(agent: Agent, url: URL, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { agent, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}
