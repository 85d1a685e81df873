// The actor's history: node names, newest first, each at most once, bounded (asyncactor's
// NodeList). Adding a name moves it to the front; when the name was somewhere other than the end,
// or the list is full, the last name drops off as well, so that stale names (of nodes gone
// after a split) fade out one per ping.

export class NodeList {
  readonly #names: string[];

  /** `maxlen` <= 0: unbounded. */
  constructor(
    public maxlen: number,
    names: Iterable<string> = [],
  ) {
    this.#names = [...names];
  }

  get length(): number {
    return this.#names.length;
  }

  at(i: number): string | undefined {
    return this.#names[i];
  }

  indexOf(name: string): number {
    return this.#names.indexOf(name);
  }

  includes(name: string): boolean {
    return this.#names.includes(name);
  }

  /** Move `name` to the front (or add it there), dropping the last name as the rule above says. */
  add(name: string): this {
    const i = this.#names.indexOf(name);
    if (i >= 0) this.#names.splice(i, 1);
    if (this.maxlen > 0 && this.#names.length > 0 && ((i >= 0 && i < this.#names.length) || this.#names.length === this.maxlen)) this.#names.pop();
    this.#names.unshift(name);
    return this;
  }

  /** The first `n` names (all when n is larger). */
  slice(start: number, end?: number): string[] {
    return this.#names.slice(start, end);
  }

  toArray(): string[] {
    return [...this.#names];
  }

  clone(maxlen = this.maxlen): NodeList {
    return new NodeList(maxlen, this.#names);
  }
}
