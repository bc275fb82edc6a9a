/**
 * A small seeded PRNG (sfc32) for the sandbox: the demo organisation and fault injection
 * must come out the same on every machine and every run, which `Math.random` cannot give.
 */

/** 32-bit FNV-1a over the parts, so a label ("people", "model:42") names its own stream. */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = typeof part === 'string' ? part : String(part);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    // A separator, so ('ab', 'c') and ('a', 'bc') differ.
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 spreads one seed over the four words of state, so seeds 1 and 2 diverge at once.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream for one concern; adding draws to one stream never shifts another. */
  fork(...label: Array<string | number>): Prng {
    return new Prng(hashSeed(this.a, this.b, this.c, this.d, ...label));
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by relative weight: `weighted([['a', 3], ['b', 1]])` gives 'a' three times as often. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let r = this.next() * total;
    for (const [value, w] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  /** A shuffled copy (Fisher-Yates); the input is left alone. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }

  /** `n` lowercase hex digits: run ids are hex(32), git SHAs hex(40). */
  hex(n: number): string {
    // Buffer's native hex encoding: a 10,000-model org draws ~200,000 ids and SHAs, and
    // Number#toString(16) made this the slowest part of generating it.
    const bytes = Math.ceil(n / 2);
    const buf = bytes <= HEX_SCRATCH.length ? HEX_SCRATCH : Buffer.alloc(bytes + 4);
    for (let i = 0; i < bytes; i += 4) buf.writeUInt32LE(this.nextUint32(), i);
    const out = buf.toString('hex', 0, bytes);
    return out.length === n ? out : out.slice(0, n);
  }
}

/** Reused by `hex`; big enough for a git SHA. */
const HEX_SCRATCH = Buffer.alloc(64);

export function createPrng(seed: number): Prng {
  return new Prng(seed);
}
