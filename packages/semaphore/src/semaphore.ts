/** Placeholder so the toolchain can be verified; replaced by the real implementation. */
export class Semaphore {
  readonly permits: number;
  constructor(permits: number) {
    this.permits = permits;
  }
}
