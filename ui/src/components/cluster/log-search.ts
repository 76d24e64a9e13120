// Search inside log lines (pure): case-insensitive, the query taken literally, matches split out so
// the viewer can mark them and count them.
export interface MatchPart {
  text: string;
  match: boolean;
}

function pattern(query: string): RegExp | null {
  const q = query.trim();
  return q === '' ? null : new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
}

/** The line cut into runs that match the query and runs that do not, in order. */
export function splitMatches(text: string, query: string): MatchPart[] {
  const re = pattern(query);
  if (!re) return [{ text, match: false }];
  const parts: MatchPart[] = [];
  let at = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > at) parts.push({ text: text.slice(at, m.index), match: false });
    parts.push({ text: m[0], match: true });
    at = m.index + m[0].length;
  }
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at), match: false });
  return parts;
}

export function countMatches(text: string, query: string): number {
  const re = pattern(query);
  return re ? [...text.matchAll(re)].length : 0;
}
