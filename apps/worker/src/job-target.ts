/** The object a job processes. */
export interface JobTarget {
  jobId: string;
  bucket: string;
  key: string;
  etag?: string | undefined;
  size?: number | undefined;
  /** `event`: an S3 notification; `message`: a job message (API or reconciler). */
  via: 'event' | 'message';
}

/** The queue message a job runs for. */
export interface DeliveryContext {
  messageId: string;
  receiveCount: number;
  signal: AbortSignal;
}
