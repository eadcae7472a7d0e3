export { startDetached, newRunId } from './start.js';
export { attachDetached } from './attach.js';
export { detachedStatus, listDetached, cancelDetached, pruneDetached } from './manage.js';
export { DetachedRunError } from './error.js';
export type {
  DetachedRun,
  DetachedRunRef,
  DetachedRunState,
  DetachedRunStatus,
  DetachedAttachResult,
  DetachedRemoteOptions,
  StartDetachedOptions,
  AttachDetachedOptions,
  CancelDetachedOptions,
  PruneDetachedOptions,
} from './types.js';
