// Per-cycle state shared between a pod's extension points (upstream framework.CycleState): each
// plugin stores what its PreFilter/PreScore computed under its own key. Preemption clones the
// state to simulate removing pods, so stored values that change must be cloneable.

export interface StateData {
  clone(): StateData;
}

export class CycleState {
  readonly #data = new Map<string, StateData>();
  /** Plugins whose PreFilter returned Skip: their Filter does not run. */
  skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score does not run. */
  skipScorePlugins = new Set<string>();
  /** The Filter plugins left after PreFilter skips, computed once per cycle by the framework. */
  activeFilters: readonly unknown[] | undefined;

  read<T extends StateData>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  write(key: string, value: StateData): void {
    this.#data.set(key, value);
  }

  delete(key: string): void {
    this.#data.delete(key);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.#data) c.#data.set(k, v.clone());
    c.skipFilterPlugins = new Set(this.skipFilterPlugins);
    c.skipScorePlugins = new Set(this.skipScorePlugins);
    c.activeFilters = this.activeFilters;
    return c;
  }
}
