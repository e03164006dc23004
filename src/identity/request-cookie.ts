// One cookie out of a Cookie header, without parsing the rest: the hot path asks for at most a
// few names per request, so an indexOf scan for the name beats building a map of every cookie.

const isSpace = (code: number) => code === 32 || code === 9;

/** The value of cookie `name` (surrounding quotes removed), or undefined. First occurrence wins. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined || name.length === 0) return undefined;
  const text = Array.isArray(header) ? header.join('; ') : header;
  let from = 0;
  for (;;) {
    const at = text.indexOf(name, from);
    if (at === -1) return undefined;
    from = at + 1;
    // The name must start a pair: at the start, or after ';' and optional spaces.
    let before = at - 1;
    while (before >= 0 && isSpace(text.charCodeAt(before))) before--;
    if (before >= 0 && text.charCodeAt(before) !== 59 /* ; */) continue;
    // ...and be followed by optional spaces and '='.
    let eq = at + name.length;
    while (eq < text.length && isSpace(text.charCodeAt(eq))) eq++;
    if (text.charCodeAt(eq) !== 61 /* = */) continue;
    let end = text.indexOf(';', eq + 1);
    if (end === -1) end = text.length;
    let value = text.slice(eq + 1, end).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value;
  }
}
