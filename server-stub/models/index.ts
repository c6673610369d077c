/**
 * Response models: any binary target over any feature table. The pieces, one per file:
 * spec (feature specs, leaks), table (CSV → columns), additive + train-additive + interactions
 * (the additive scorer), logistic, trees, metrics, folds, evaluate, shapes + svg + pictures,
 * registry, score (batch), realtime (profiles, score audiences), reference (the population "top N %"
 * cuts against), labels (reasons in plain words).
 */
export { ADDITIVE_FORMAT, compile, scoreRow, scoreTable, sigmoid, subnet, tabulate, termNames, type AdditiveModel, type Compiled, type SubnetParams, type Term } from './additive';
export { readCsvFile, BANK_FILE } from './data';
export { evaluate, predict, train, KINDS, type Evaluation, type Fitted, type Kind } from './evaluate';
export { innerSplit, stratifiedKFold, temporalSplit } from './folds';
export { choosePairs, fitPairs, screenPairs } from './interactions';
export { fitLogistic, predictLogistic } from './logistic';
export { auc, brier, liftTop10, logLoss, metrics, reliability, type Metrics } from './metrics';
export { writePictures } from './pictures';
export { createRegistry, fingerprint, type Entry, type Registry } from './registry';
export { createScorer, scoreCsv, type Reason, type Scorer } from './score';
export { bankSpec, parseSpec, type FeatureSpec, type ModelSpec } from './spec';
export { inferSpec, LeakError, loadTable, refuseLeaks, rowEncoder, allocColumns, type Table } from './table';
export { fitMains, probabilities } from './train-additive';
export { fitTrees, predictTrees } from './trees';
export { audienceCutoff, createProfileScorer, parseAudience, type Profile, type ProfileScorer, type ScoreAudience } from './realtime';
export { quantileAt, referenceOf, topPercentCutoff, withReference, type Reference } from './reference';
export { termLabel, type Locale } from './labels';
export { bankSeedEntry } from './bank-seed';
export { checkModel } from './check';
