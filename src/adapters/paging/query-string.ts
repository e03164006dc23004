// A request's query string read and rewritten parameter by parameter: every parameter sidecart
// does not change keeps its exact bytes (its encoding, its order).

export interface QueryString {
  path: string;
  /** The raw `name=value` pieces, in order. */
  pieces: string[];
}

export function splitQuery(url: string): QueryString {
  const at = url.indexOf('?');
  if (at < 0) return { path: url, pieces: [] };
  return { path: url.slice(0, at), pieces: url.slice(at + 1).split('&').filter((p) => p !== '') };
}

function nameOf(piece: string): string {
  const eq = piece.indexOf('=');
  const raw = eq < 0 ? piece : piece.slice(0, eq);
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

function valueOf(piece: string): string {
  const eq = piece.indexOf('=');
  if (eq < 0) return '';
  try {
    return decodeURIComponent(piece.slice(eq + 1).replace(/\+/g, ' '));
  } catch {
    return piece.slice(eq + 1);
  }
}

/** Every value of a parameter, decoded. */
export function queryValues(query: QueryString, name: string): string[] {
  return query.pieces.filter((p) => nameOf(p) === name).map(valueOf);
}

/** The one value of a parameter; undefined when absent; null when given more than once. */
export function queryValue(query: QueryString, name: string): string | undefined | null {
  const values = queryValues(query, name);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : null;
}

export function hasParam(query: QueryString, name: string): boolean {
  return query.pieces.some((p) => nameOf(p) === name);
}

/**
 * The URL with these parameters set (replaced in place where present, appended otherwise) and
 * those named in `remove` dropped; every other piece as it was.
 */
export function withParams(query: QueryString, set: Record<string, string | number>, remove: readonly string[] = []): string {
  const names = new Map(Object.entries(set));
  const written = new Set<string>();
  const piece = (name: string) => `${encodeURIComponent(name)}=${encodeURIComponent(String(names.get(name)!))}`;
  const pieces: string[] = [];
  for (const raw of query.pieces) {
    const name = nameOf(raw);
    if (remove.includes(name)) continue;
    if (!names.has(name)) pieces.push(raw);
    else if (!written.has(name)) {
      written.add(name);
      pieces.push(piece(name));
    }
  }
  for (const name of names.keys()) if (!written.has(name)) pieces.push(piece(name));
  return pieces.length > 0 ? `${query.path}?${pieces.join('&')}` : query.path;
}
