import type { FhirIdentifier, ParsedEntry, ParsedResource } from './resources';

/**
 * Where a reference points: a resource in this bundle, or (for resources imported earlier) a type
 * with an id or an identifier to look up in the database.
 */
export type RefTarget =
  | { kind: 'entry'; type: string; id: string; resource: ParsedResource }
  | { kind: 'id'; type: string; id: string }
  | { kind: 'identifier'; type: string; system?: string; value: string };

function hasIdentifier(r: ParsedResource, system: string | undefined, value: string): boolean {
  const ids = (r as { identifier?: FhirIdentifier[] }).identifier ?? [];
  return ids.some((i) => i.value === value && (system === undefined || i.system === system));
}

/** Resolves `urn:uuid:…` fullUrls, `Type/id` (relative or absolute) and `Type?identifier=system|value`. */
export class ReferenceIndex {
  private readonly byUrl = new Map<string, ParsedEntry>();
  private readonly byTypeId = new Map<string, ParsedEntry>();

  /** @param entries - the validated bundle entries */
  constructor(private readonly entries: ParsedEntry[]) {
    for (const e of entries) {
      if (e.fullUrl) this.byUrl.set(e.fullUrl, e);
      if (e.resource.id) this.byTypeId.set(`${e.resource.resourceType}/${e.resource.id}`, e);
    }
  }

  /**
   * @param reference - Reference.reference
   * @returns null for a reference careline cannot follow (contained `#x`, empty, malformed)
   */
  resolve(reference: string | undefined): RefTarget | null {
    if (!reference || reference.startsWith('#')) return null;
    const direct = this.byUrl.get(reference);
    if (direct) return this.fromEntry(direct);
    const q = reference.match(/^([A-Z][A-Za-z]+)\?identifier=(.+)$/);
    if (q) {
      const raw = decodeURIComponent(q[2]);
      const bar = raw.indexOf('|');
      const system = bar >= 0 ? raw.slice(0, bar) || undefined : undefined;
      const value = bar >= 0 ? raw.slice(bar + 1) : raw;
      const hit = this.entries.find((e) => e.resource.resourceType === q[1] && hasIdentifier(e.resource, system, value));
      return hit ? this.fromEntry(hit) : { kind: 'identifier', type: q[1], system, value };
    }
    const m = reference.match(/(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/);
    if (m) {
      const hit = this.byTypeId.get(`${m[1]}/${m[2]}`);
      return hit ? this.fromEntry(hit) : { kind: 'id', type: m[1], id: m[2] };
    }
    return null;
  }

  private fromEntry(e: ParsedEntry): RefTarget {
    return { kind: 'entry', type: e.resource.resourceType, id: e.resource.id ?? '', resource: e.resource };
  }
}
