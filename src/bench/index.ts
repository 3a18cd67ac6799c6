export { benchCommand } from './command.js';
export { runFanout, findMax, type FanoutOptions, type FanoutResult, type TrialResult } from './fanout.js';
export { runIdle, type IdleOptions, type IdleResult } from './idle.js';
export { runChurn, type ChurnOptions, type ChurnResult } from './churn.js';
export { Histogram, DeliveryTracker, type DeliveryKind } from './stats.js';
export { makeToken, parseToken, scanTokens } from './payload.js';
export { parseTarget, resolveTarget, isLoopbackAddress } from './target.js';
export { fanoutSvg } from './svg.js';
export { Progress } from './progress.js';
