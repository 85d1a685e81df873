// Path: the address of an entry, a list of elements (usually strings). On the wire it is
// msgpack extension type 3 (see codec.ts). Paths compare by value; `key` is a canonical string
// for maps.

export type PathElement = string | number | bigint | boolean | null | Uint8Array | PathElement[];

const plain = (e: PathElement): boolean => typeof e === "string" || typeof e === "number" || typeof e === "boolean" || e === null;

export class Path {
  readonly elements: readonly PathElement[];
  #key: string | undefined;

  constructor(elements: Iterable<PathElement> = []) {
    // a frozen plain array cannot change, so it is shared rather than copied: the entry store
    // keeps only an entry's elements and makes its Path from them when asked (entry-record.ts)
    this.elements = Array.isArray(elements) && Object.isFrozen(elements) && Object.getPrototypeOf(elements) === Array.prototype
      ? (elements as readonly PathElement[])
      : Object.freeze([...elements]);
  }

  static of(...elements: PathElement[]): Path {
    return new Path(elements);
  }

  get length(): number {
    return this.elements.length;
  }

  /** A canonical string: equal paths have equal keys. */
  get key(): string {
    // without a replacer when no element needs one (strings, numbers...): the same text, several times faster
    this.#key ??= this.elements.every(plain)
      ? JSON.stringify(this.elements)
      : JSON.stringify(this.elements, (_k, v: unknown) => (typeof v === "bigint" ? { $big: v.toString() } : v instanceof Uint8Array ? { $bin: [...v] } : v));
    return this.#key;
  }

  equals(other: Path): boolean {
    return this.key === other.key;
  }

  /** The first n elements. */
  slice(start: number, end?: number): Path {
    return new Path(this.elements.slice(start, end));
  }

  concat(...more: PathElement[]): Path {
    return new Path([...this.elements, ...more]);
  }

  /** Whether `prefix` is this path or an ancestor of it. */
  startsWith(prefix: Path): boolean {
    if (prefix.length > this.length) return false;
    return this.slice(0, prefix.length).equals(prefix);
  }

  toJSON(): { $path: PathElement[] } {
    return { $path: [...this.elements] };
  }

  toString(): string {
    return this.elements.length === 0 ? ":" : this.elements.map((e) => String(e)).join(".");
  }
}
