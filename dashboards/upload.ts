import { buildDashboards } from './loupe';

/**
 * `npm run dashboards:upload -- --url https://grafana.example.com --token <service account token> [--folder <uid>]`:
 * posts every dashboard to Grafana's HTTP API (POST /api/dashboards/db, overwrite), keeping their uids.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export async function upload(url: string, token: string, folderUid?: string): Promise<Array<{ uid: string; status: number; body: string }>> {
  const out: Array<{ uid: string; status: number; body: string }> = [];
  for (const d of buildDashboards()) {
    const res = await fetch(`${url.replace(/\/+$/, '')}/api/dashboards/db`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ dashboard: { ...d.model, id: null }, overwrite: true, message: 'loupe dashboards:upload', ...(folderUid ? { folderUid } : {}) }),
    });
    out.push({ uid: d.model.uid!, status: res.status, body: await res.text() });
  }
  return out;
}

if (require.main === module) {
  const url = arg('--url') ?? process.env.GRAFANA_URL;
  const token = arg('--token') ?? process.env.GRAFANA_TOKEN;
  if (!url || !token) {
    process.stderr.write('usage: npm run dashboards:upload -- --url <grafana url> --token <service account token> [--folder <folder uid>]\n');
    process.exit(2);
  }
  upload(url, token, arg('--folder')).then(
    (rs) => {
      for (const r of rs) process.stdout.write(`${r.uid}: ${r.status} ${r.body}\n`);
      process.exit(rs.every((r) => r.status === 200) ? 0 : 1);
    },
    (e) => {
      process.stderr.write(`upload failed: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
