/**
 * The model in the loop (TensorFlow.js): backend choice, a text featurizer for projects without embeddings,
 * softmax / MLP classifiers, and K-fold out-of-sample probabilities with a committee of fold models.
 * Fitted featurizers and classifiers are values with toJSON()/fromJSON() for storage.
 */
export { BACKEND_ORDER, currentBackend, ensureBackend, initBackend } from './backend';
export type { BackendName, BackendPreference, InitBackendOptions } from './backend';
export { TextFeaturizer, fitTextFeaturizer } from './featurizer';
export type { FeatureMatrix, FeaturizerJSON, FeaturizerOptions } from './featurizer';
export { Classifier, LOG_EPS, MIN_VALIDATION_ROWS, PREDICT_CHUNK_ROWS, base64ToF32, f32ToBase64, fit, fitStandardScaler } from './classifier';
export type { ClassWeight, ClassifierJSON, ClassifierKind, ClassifierWeights, EpochInfo, FitMetrics, FitOptions, StandardScaler } from './classifier';
export { L2_GRID, L2_INNER_FOLDS, L2_MAX_ROWS, crossValPredictProba, selectL2, stratifiedFolds } from './cross-val';
export type { CrossValMetrics, CrossValOptions, CrossValResult, SelectL2Options, SelectL2Result } from './cross-val';
