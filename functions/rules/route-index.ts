import type { NormalizedEvent } from '../../contracts/index.ts';
import { matcherTypes, PATTERN_FIELDS } from './matcher.ts';
import type { StringField } from './matcher.ts';
import { exactValues } from './pattern.ts';
import type { Matcher } from '../bundle/index.ts';

type IndexedField = 'type' | StringField;

/** For one event field: the routes still possible for each value routes name exactly, and for any other value. */
interface FieldIndex {
  field: IndexedField;
  byValue: Map<string, Uint32Array>;
  otherwise: Uint32Array;
}

/**
 * Which routes an event can match, from the fields routes match by exact values (`types`, and pattern lists
 * without regex syntax, e.g. `namespaces: ["payments"]`): a route that names exact namespaces cannot match an
 * event from any other namespace, so its matcher never runs for one. Candidates come as a bit set in route
 * order, intersected over the indexed fields: a few map look-ups per event instead of one matcher per route.
 */
export class RouteIndex {
  private readonly fields: FieldIndex[] = [];
  private readonly all: Uint32Array;
  private readonly scratch: Uint32Array;

  constructor(matchers: ReadonlyArray<Matcher | undefined>) {
    const words = Math.ceil(matchers.length / 32);
    this.all = new Uint32Array(words);
    for (let i = 0; i < matchers.length; i++) setBit(this.all, i);
    this.scratch = new Uint32Array(words);
    const fields: Array<[IndexedField, (matcher: Matcher) => ReadonlySet<string> | undefined]> = [
      ['type', matcherTypes],
      ...PATTERN_FIELDS.map(
        ([key, field]): [IndexedField, (matcher: Matcher) => ReadonlySet<string> | undefined] => [
          field,
          (matcher) => {
            const patterns = matcher[key] as string[] | undefined;
            return patterns && exactValues(patterns);
          },
        ],
      ),
    ];
    for (const [field, valuesOf] of fields) {
      const values = matchers.map((matcher) => (matcher ? valuesOf(matcher) : undefined));
      if (values.every((set) => set === undefined)) continue;
      const otherwise = new Uint32Array(words);
      values.forEach((set, i) => set === undefined && setBit(otherwise, i));
      const byValue = new Map<string, Uint32Array>();
      values.forEach((set, i) => {
        for (const value of set ?? []) {
          let mask = byValue.get(value);
          if (!mask) byValue.set(value, (mask = otherwise.slice()));
          setBit(mask, i);
        }
      });
      this.fields.push({ field, byValue, otherwise });
    }
  }

  /**
   * The routes `event` may match, as a bit set (bit i = route i). The array is reused by the next call, so read
   * it before calling again.
   */
  candidates(event: NormalizedEvent): Uint32Array {
    const mask = this.scratch;
    mask.set(this.all);
    for (const { field, byValue, otherwise } of this.fields) {
      const allowed = byValue.get(event[field]) ?? otherwise;
      for (let w = 0; w < mask.length; w++) mask[w]! &= allowed[w]!;
    }
    return mask;
  }
}

function setBit(mask: Uint32Array, i: number): void {
  mask[i >>> 5]! |= 1 << (i & 31);
}
