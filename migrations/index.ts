import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { ModelLoop1764100000000 } from './1764100000000-model-loop';
import { Jobs1764200000000 } from './1764200000000-jobs';
import { LabelIssues1764300000000 } from './1764300000000-label-issues';
import { Consensus1764400000000 } from './1764400000000-consensus';
import { RoutingDriftSnapshots1764500000000 } from './1764500000000-routing-drift-snapshots';
import { PredictionCommittee1764600000000 } from './1764600000000-prediction-committee';
import { LabelCounts1764700000000 } from './1764700000000-label-counts';
import { Skips1764800000000 } from './1764800000000-skips';
import { OneVote1764850000000 } from './1764850000000-one-vote';
import { ModelVersionNames1764900000000 } from './1764900000000-model-version-names';
import { AnnotationReferences1764950000000 } from './1764950000000-annotation-references';
import { DataVersion1765000000000 } from './1765000000000-data-version';
import { IdempotencyPerKey1765400000000 } from './1765400000000-idempotency-per-key';
import { LeaseKeys1765450000000 } from './1765450000000-lease-keys';
import { LabelStudioConnectors1765500000000 } from './1765500000000-label-studio-connectors';
import { Webhooks1765600000000 } from './1765600000000-webhooks';

/** Every migration, oldest first. Passed to TypeORM as classes so the same list works compiled and under ts-jest. */
export const migrations = [InitialSchema1764000000000, ModelLoop1764100000000, Jobs1764200000000, LabelIssues1764300000000, Consensus1764400000000, RoutingDriftSnapshots1764500000000, PredictionCommittee1764600000000, LabelCounts1764700000000, Skips1764800000000, OneVote1764850000000, ModelVersionNames1764900000000, AnnotationReferences1764950000000, DataVersion1765000000000, IdempotencyPerKey1765400000000, LeaseKeys1765450000000, LabelStudioConnectors1765500000000, Webhooks1765600000000];
