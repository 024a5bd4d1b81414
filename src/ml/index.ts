/**
 * The model in the loop (TensorFlow.js): backend choice, a text featurizer for projects without embeddings,
 * softmax / MLP classifiers, and K-fold out-of-sample probabilities with a committee of fold models.
 * Fitted featurizers and classifiers are values with toJSON()/fromJSON() for storage.
 */
export { BACKEND_ORDER, currentBackend, ensureBackend, initBackend } from './backend';
export type { BackendName, BackendPreference, InitBackendOptions } from './backend';
export { TextFeaturizer, fitTextFeaturizer } from './featurizer';
export type { FeatureMatrix, FeaturizerJSON, FeaturizerOptions } from './featurizer';
export { Classifier, LOG_EPS, MIN_VALIDATION_ROWS, PREDICT_CHUNK_ROWS, base64ToF32, f32ToBase64, fit } from './classifier';
export type { ClassWeight, ClassifierJSON, ClassifierKind, ClassifierWeights, EpochInfo, FitMetrics, FitOptions } from './classifier';
export { crossValPredictProba, stratifiedFolds } from './cross-val';
export type { CrossValMetrics, CrossValOptions, CrossValResult } from './cross-val';
