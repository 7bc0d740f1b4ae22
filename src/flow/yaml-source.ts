import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';

type Ranged = { range?: [number, number, number] };

/** A problem in a flow or prompt file, with where it is. */
export interface FlowIssue {
  file: string;
  line: number;
  message: string;
}

/** A parsed YAML file that can tell the line of any path in it (for error messages). */
export class YamlSource {
  readonly doc: Document;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
  }

  /** YAML syntax errors, as issues. */
  syntaxIssues(): FlowIssue[] {
    return this.doc.errors.map((e) => ({ file: this.file, line: this.lineAt(e.pos[0]), message: e.message.split('\n')[0]! }));
  }

  /** The plain data. */
  data(): unknown {
    return this.doc.toJS();
  }

  /**
   * The line of a path (the deepest part of it that exists), 1-based.
   * @param path - keys and indexes from the root
   * @param key - when given, the line of this key inside the map at `path` (for unknown keys)
   */
  lineOf(path: readonly PropertyKey[], key?: string): number {
    const full = key === undefined ? path : [...path, key];
    for (let n = full.length; n > 0; n--) {
      const parent = n === 1 ? this.doc.contents : this.doc.getIn(full.slice(0, n - 1) as unknown[], true);
      const last = full[n - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
        const k = pair?.key as Ranged | undefined;
        if (k?.range) return this.lineAt(k.range[0]);
      } else if (isSeq(parent) && typeof last === 'number') {
        const item = parent.items[last] as Ranged | undefined;
        if (item?.range) return this.lineAt(item.range[0]);
      }
    }
    return 1;
  }

  private lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }
}
