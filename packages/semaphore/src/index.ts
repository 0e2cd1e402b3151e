export {
  SemaphoreAbortError,
  SemaphoreCapacityError,
  SemaphoreError,
  type SemaphoreErrorCode,
  SemaphoreOverflowError,
  SemaphoreTimeoutError,
} from './errors.ts';
export {
  type AcquireOptions,
  type Permit,
  type RunOptions,
  Semaphore,
  type SemaphoreOptions,
  type WeightOptions,
} from './semaphore.ts';
