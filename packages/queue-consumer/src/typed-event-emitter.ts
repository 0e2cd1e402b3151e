/** Map of event name → the argument tuple its listeners receive. */
export type EventMap<M> = { [K in keyof M]: unknown[] };

/** A listener for event `E` of map `M`. */
export type Listener<M extends EventMap<M>, E extends keyof M> = (...args: M[E]) => void;

/**
 * Reports what no listener took, through Node's process warnings (`process.on('warning')`, `--no-warnings`,
 * `--trace-warnings`): the application decides where it goes, the library never writes to the console.
 */
function warn(message: string, cause: unknown): void {
  const warning = new Error(message, { cause });
  warning.name = 'TypedEventEmitterWarning';
  process.emitWarning(warning);
}

/**
 * A small typed event emitter. Unlike `node:events`, a listener that throws never breaks the emitter or the
 * other listeners, and emitting `'error'` with no listener does not throw, so a consumer without an error
 * listener can never crash the process. Both are reported as a process warning (`process.on('warning')`)
 * named `TypedEventEmitterWarning` whose `cause` is the error. Internal: `QueueConsumer` exposes
 * `on`/`once`/`off` of one and keeps `emit` to itself.
 */
export class TypedEventEmitter<M extends EventMap<M>> {
  readonly #listeners = new Map<keyof M, Set<unknown>>();

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof M>(event: E, listener: Listener<M, E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Adds a listener called at most once. */
  once<E extends keyof M>(event: E, listener: Listener<M, E>): () => void {
    const off = this.on(event, ((...args: M[E]) => {
      off();
      listener(...args);
    }) as Listener<M, E>);
    return off;
  }

  /** Removes a listener added with {@link on}. */
  off<E extends keyof M>(event: E, listener: Listener<M, E>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof M): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Calls every listener of `event`; returns whether there was one. */
  emit<E extends keyof M>(event: E, ...args: M[E]): boolean {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) {
      if (event === 'error') warn("'error' event with no listener", args[0]);
      return false;
    }
    for (const listener of [...set]) {
      try {
        (listener as Listener<M, E>)(...args);
      } catch (error) {
        warn(`a listener of '${String(event)}' threw`, error);
      }
    }
    return true;
  }
}
