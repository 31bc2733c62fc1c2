/**
 * A bounds-checked cursor over one msgpack frame, for readers that take only the common
 * case of a message and leave everything else to the general decoder (msgpackr): every
 * read that meets something unexpected (a type, a length past the end, invalid UTF-8)
 * throws {@link GIVE_UP}. Numbers are computed as msgpackr computes them; map keys are
 * matched as bytes against a {@link KeyTable}; short strings come from a cache.
 */

/** Thrown (one shared instance) when the frame is not the common case. */
export const GIVE_UP = new Error("not the common case");
const TWO_POW_32 = 4294967296;

/** Marks a value that is neither a number nor nil (see {@link FrameReader.numberOrNil}). */
export const NOT_A_NUMBER = undefined;

/** A known key as big-endian 32-bit words and its bytes, to compare fast. */
interface KnownKey {
  id: number;
  words: number[];
  bytes: Uint8Array;
}

/** The map keys a reader knows, each with a numeric id; any other key is -1. */
export class KeyTable {
  /** Known keys by byte length (ASCII names). */
  readonly byLength: KnownKey[][] = [];

  constructor(keys: ReadonlyArray<readonly [name: string, id: number]>) {
    for (const [name, id] of keys) {
      const bytes = new TextEncoder().encode(name);
      const view = new DataView(bytes.buffer);
      const words: number[] = [];
      for (let w = 0; w + 4 <= bytes.length; w += 4) words.push(view.getUint32(w));
      const sameLength = this.byLength[bytes.length] ?? [];
      sameLength.push({ id, words, bytes });
      this.byLength[bytes.length] = sameLength;
    }
  }
}

// Invalid UTF-8 throws (the frame goes to the general decoder, whose replacement
// characters may differ); a leading BOM is kept, as msgpackr keeps it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Strings up to this many bytes go through {@link STRING_CACHE}. */
const CACHED_STRING_BYTES = 64;
/** Slots of the string cache (a power of two). */
const STRING_CACHE_SLOTS = 4096;

/**
 * Recently decoded short strings by content: a report's row names and methods repeat in
 * every report of every worker, so most are found here instead of decoded and allocated
 * again. Direct-mapped on a hash of the bytes; a hit is verified byte by byte, so it is exact.
 */
const STRING_CACHE: Array<{ bytes: Uint8Array; value: string } | undefined> = new Array(
  STRING_CACHE_SLOTS,
).fill(undefined);

function cachedString(bytes: Uint8Array, start: number, length: number): string {
  let hash = length;
  for (let k = 0; k < length; k++) hash = Math.imul(hash ^ bytes[start + k]!, 0x01000193);
  const slot = (hash >>> 0) & (STRING_CACHE_SLOTS - 1);
  const cached = STRING_CACHE[slot];
  if (cached !== undefined && cached.bytes.length === length) {
    const known = cached.bytes;
    let k = 0;
    while (k < length && bytes[start + k] === known[k]) k++;
    if (k === length) return cached.value;
  }
  const copy = bytes.slice(start, start + length);
  const value = utf8.decode(copy);
  STRING_CACHE[slot] = { bytes: copy, value };
  return value;
}

/** A cursor over one frame; every read checks its bounds and gives up past the end. */
export class FrameReader {
  private readonly view: DataView;
  pos = 0;

  private readonly bytes: Uint8Array;

  constructor(frame: Uint8Array) {
    // A plain Uint8Array view whatever the frame's class (a Buffer from ZeroMQ): the byte
    // loops below then see one kind of array.
    this.bytes = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
    this.view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  }

  get atEnd(): boolean {
    return this.pos === this.bytes.length;
  }

  private need(count: number): void {
    if (this.pos + count > this.bytes.length) throw GIVE_UP;
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw GIVE_UP;
    return this.bytes[this.pos++]!;
  }

  private u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.pos);
    this.pos += 2;
    return value;
  }

  private u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.pos);
    this.pos += 4;
    return value;
  }

  /** Whether the next value is a map. */
  nextIsMap(): boolean {
    const type = this.bytes[this.pos];
    return type !== undefined && ((type >= 0x80 && type <= 0x8f) || type === 0xde || type === 0xdf);
  }

  /** The entry count of a map, or -1 (nil consumed) when the next value is nil. */
  mapOrNil(): number {
    const type = this.bytes[this.pos];
    if (type === 0xc0) {
      this.pos++;
      return -1;
    }
    return this.map();
  }

  /** The entry count of a map. */
  map(): number {
    const type = this.byte();
    if (type >= 0x80 && type <= 0x8f) return type - 0x80;
    if (type === 0xde) return this.u16();
    if (type === 0xdf) return this.u32();
    throw GIVE_UP;
  }

  /** The length of an array. */
  array(): number {
    const type = this.byte();
    if (type >= 0x90 && type <= 0x9f) return type - 0x90;
    if (type === 0xdc) return this.u16();
    if (type === 0xdd) return this.u32();
    throw GIVE_UP;
  }

  /** The next value if it is a msgpack string, else GIVE_UP. */
  string(): string {
    const length = this.stringLength();
    if (length < 0) throw GIVE_UP;
    const start = this.pos;
    this.pos += length;
    if (length <= CACHED_STRING_BYTES) return cachedString(this.bytes, start, length);
    return utf8.decode(this.bytes.subarray(start, this.pos));
  }

  /** The next value as a string, "" for nil (a Locust row's method). */
  stringOrEmpty(): string {
    if (this.bytes[this.pos] === 0xc0) {
      this.pos++;
      return "";
    }
    return this.string();
  }

  /** Byte length of a string at the cursor (header consumed), or -1 (nothing consumed). */
  private stringLength(): number {
    const type = this.bytes[this.pos];
    if (type === undefined) throw GIVE_UP;
    let length: number;
    if (type >= 0xa0 && type <= 0xbf) {
      this.pos++;
      length = type - 0xa0;
    } else if (type === 0xd9) {
      this.pos++;
      length = this.byte();
    } else if (type === 0xda) {
      this.pos++;
      length = this.u16();
    } else if (type === 0xdb) {
      this.pos++;
      length = this.u32();
    } else {
      return -1;
    }
    this.need(length);
    return length;
  }

  /** A map key: the id of a known string key (matched as bytes), else -1 (skipped if not a string). */
  key(table: KeyTable): number {
    const length = this.stringLength();
    if (length < 0) {
      this.skip();
      return -1;
    }
    const start = this.pos;
    this.pos += length;
    const candidates = table.byLength[length];
    if (candidates === undefined) return -1;
    const view = this.view;
    const bytes = this.bytes;
    for (const candidate of candidates) {
      const words = candidate.words;
      let w = 0;
      while (w < words.length && view.getUint32(start + 4 * w) === words[w]) w++;
      if (w < words.length) continue;
      let k = 4 * w;
      while (k < length && bytes[start + k] === candidate.bytes[k]) k++;
      if (k === length) return candidate.id;
    }
    return -1;
  }

  /**
   * A number (any msgpack integer or float, computed as msgpackr does with int64AsType
   * "number"), null for nil, or NOT_A_NUMBER (value consumed) for anything else.
   */
  numberOrNil(): number | null | typeof NOT_A_NUMBER {
    const type = this.bytes[this.pos];
    if (type === undefined) throw GIVE_UP;
    if (type <= 0x7f) {
      this.pos++;
      return type;
    }
    if (type >= 0xe0) {
      this.pos++;
      return type - 0x100;
    }
    const view = this.view;
    let value: number;
    switch (type) {
      case 0xc0:
        this.pos++;
        return null;
      case 0xcc:
        this.need(2);
        value = this.bytes[this.pos + 1]!;
        this.pos += 2;
        return value;
      case 0xcd:
        this.need(3);
        value = view.getUint16(this.pos + 1);
        this.pos += 3;
        return value;
      case 0xce:
        this.need(5);
        value = view.getUint32(this.pos + 1);
        this.pos += 5;
        return value;
      case 0xcf:
        this.need(9);
        value = view.getUint32(this.pos + 1) * TWO_POW_32 + view.getUint32(this.pos + 5);
        this.pos += 9;
        return value;
      case 0xd0:
        this.need(2);
        value = view.getInt8(this.pos + 1);
        this.pos += 2;
        return value;
      case 0xd1:
        this.need(3);
        value = view.getInt16(this.pos + 1);
        this.pos += 3;
        return value;
      case 0xd2:
        this.need(5);
        value = view.getInt32(this.pos + 1);
        this.pos += 5;
        return value;
      case 0xd3:
        this.need(9);
        value = view.getInt32(this.pos + 1) * TWO_POW_32 + view.getUint32(this.pos + 5);
        this.pos += 9;
        return value;
      case 0xca:
        this.need(5);
        value = view.getFloat32(this.pos + 1);
        this.pos += 5;
        return value;
      case 0xcb:
        this.need(9);
        value = view.getFloat64(this.pos + 1);
        this.pos += 9;
        return value;
      default:
        this.skip();
        return NOT_A_NUMBER;
    }
  }

  /** A finite number, or GIVE_UP. */
  finite(): number {
    const value = this.numberOrNil();
    if (typeof value !== "number" || !Number.isFinite(value)) throw GIVE_UP;
    return value;
  }

  /** A finite number, 0 for nil (Locust's counters), else GIVE_UP. */
  finiteOrZero(): number {
    const value = this.numberOrNil();
    if (value === null) return 0;
    if (value === NOT_A_NUMBER || !Number.isFinite(value)) throw GIVE_UP;
    return value;
  }

  /** A finite number or null for nil, else GIVE_UP. */
  finiteOrNull(): number | null {
    const value = this.numberOrNil();
    if (value === NOT_A_NUMBER || (value !== null && !Number.isFinite(value))) throw GIVE_UP;
    return value;
  }

  /** Bytes of a msgpack bin (a view into the frame, as msgpackr gives it), or null (value consumed). */
  binOrSkip(): Uint8Array | null {
    const type = this.bytes[this.pos];
    let length: number;
    if (type === 0xc4) {
      this.pos++;
      length = this.byte();
    } else if (type === 0xc5) {
      this.pos++;
      length = this.u16();
    } else if (type === 0xc6) {
      this.pos++;
      length = this.u32();
    } else {
      this.skip();
      return null;
    }
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return this.bytes.subarray(start, this.pos);
  }

  /** A map of number → finite number (nil = empty); string keys are the general decoder's. */
  numberMap(): Map<number, number> {
    const out = new Map<number, number>();
    const entries = this.mapOrNil();
    for (let i = 0; i < entries; i++) {
      const key = this.numberOrNil();
      if (typeof key !== "number" || !Number.isFinite(key)) throw GIVE_UP;
      out.set(key, this.finite());
    }
    return out;
  }

  /**
   * Skips one value of any type but extensions (which the general decoder may reject), one
   * item at a time, so deep nesting costs no stack.
   */
  skip(): void {
    let remaining = 1;
    while (remaining > 0) {
      remaining--;
      const type = this.byte();
      if (type <= 0x7f || type >= 0xe0 || (type >= 0xc0 && type <= 0xc3 && type !== 0xc1)) continue;
      if (type <= 0x8f) remaining += 2 * (type - 0x80);
      else if (type <= 0x9f) remaining += type - 0x90;
      else if (type <= 0xbf) this.advance(type - 0xa0);
      else if (type === 0xc4 || type === 0xd9) this.advance(this.byte());
      else if (type === 0xc5 || type === 0xda) this.advance(this.u16());
      else if (type === 0xc6 || type === 0xdb) this.advance(this.u32());
      else if (type === 0xca) this.advance(4);
      else if (type === 0xcb) this.advance(8);
      else if (type >= 0xcc && type <= 0xd3) this.advance(2 ** ((type - 0xcc) & 3));
      else if (type === 0xdc) remaining += this.u16();
      else if (type === 0xdd) remaining += this.u32();
      else if (type === 0xde) remaining += 2 * this.u16();
      else if (type === 0xdf) remaining += 2 * this.u32();
      else throw GIVE_UP; // extensions and 0xc1 (never used)
    }
  }

  /** The bytes of the next value (read whole), for a value another decoder reads. */
  rawValue(): Uint8Array {
    const start = this.pos;
    this.skip();
    return this.bytes.subarray(start, this.pos);
  }

  private advance(count: number): void {
    this.need(count);
    this.pos += count;
  }
}
