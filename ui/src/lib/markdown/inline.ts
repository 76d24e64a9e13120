// Inline Markdown of release notes (see markdown.ts): emphasis, strong, code, links and images (kept
// as text), hard breaks. Closers are found by binary search in positions computed once per line, so
// no backtracking regular expression ever sees a whole line and a hostile line costs O(n log n).

export type Inline =
  | { t: 'text'; text: string }
  | { t: 'code'; text: string }
  | { t: 'em' | 'strong'; children: Inline[] }
  | { t: 'link'; children: Inline[]; href: string }
  | { t: 'image'; alt: string; src: string }
  | { t: 'break' };

/** How deep emphasis and links may nest (markdown.ts's default limit too). */
export const MAX_INLINE_DEPTH = 6;

/** Sorted positions where each kind of closer may be, for binary search. */
interface Closers {
  [kind: string]: number[];
}

const PUNCT_OR_SPACE = /[\s!-/:-@[-`{-~]/;
const ESCAPABLE = '\\`*_{}[]()#+-.!|<>~';

function nextAt(list: number[], from: number, before: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  const at = list[lo];
  return at !== undefined && at < before ? at : -1;
}

function findClosers(s: string): Closers {
  const c: Closers = { '**': [], __: [], '*': [], _: [], ']': [], ')': [] };
  const ticks: Record<number, number[]> = {};
  for (let i = 0; i < s.length; i += 1) {
    const ch = s[i]!;
    if (ch === '\\' && ESCAPABLE.includes(s[i + 1] ?? '')) {
      i += 1;
      continue;
    }
    if (ch === '`') {
      let n = 0;
      while (s[i + n] === '`') n += 1;
      (ticks[n] ??= []).push(i);
      i += n - 1;
      continue;
    }
    if (ch === ']' || ch === ')') c[ch]!.push(i);
    if (ch === '*' || ch === '_') {
      const double = s[i + 1] === ch;
      const after = s[i + (double ? 2 : 1)] ?? ' ';
      const before = s[i - 1] ?? ' ';
      // A closer follows text; `_` closes only at a word's end (snake_case stays text).
      if (before !== ' ' && before !== '\n' && (ch === '*' || PUNCT_OR_SPACE.test(after))) c[double ? ch + ch : ch]!.push(i);
      if (double) i += 1;
    }
  }
  for (const [n, list] of Object.entries(ticks)) c[`\`${n}`] = list;
  return c;
}

export function parseInline(s: string, depth = 0, maxDepth = MAX_INLINE_DEPTH): Inline[] {
  return inlineRange(s, 0, s.length, findClosers(s), depth, maxDepth);
}

function inlineRange(s: string, from: number, to: number, closers: Closers, depth: number, maxDepth: number): Inline[] {
  const out: Inline[] = [];
  // Text is gathered in pieces and joined once: growing one string and trimming it per line would
  // copy it again and again (quadratic on a long paragraph).
  let parts: string[] = [];
  const flush = () => {
    if (parts.length > 0) out.push({ t: 'text', text: parts.join('') });
    parts = [];
  };
  const trailingSpaces = () => {
    let n = 0;
    while (parts.length > 0 && parts[parts.length - 1] === ' ') {
      parts.pop();
      n += 1;
    }
    return n;
  };
  let i = from;
  while (i < to) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < to && ESCAPABLE.includes(s[i + 1]!)) {
      parts.push(s[i + 1]!);
      i += 2;
      continue;
    }
    if (ch === '\\' && s[i + 1] === '\n') {
      flush();
      out.push({ t: 'break' });
      i += 2;
      continue;
    }
    if (ch === '\n') {
      // Two trailing spaces make a hard break; otherwise a soft break is one space.
      if (trailingSpaces() >= 2) {
        flush();
        out.push({ t: 'break' });
      } else parts.push(' ');
      i += 1;
      continue;
    }
    if (ch === '`') {
      let n = 0;
      while (s[i + n] === '`') n += 1;
      const close = nextAt(closers[`\`${n}`] ?? [], i + n, to);
      if (close > 0) {
        flush();
        const body = s.slice(i + n, close).replace(/\n/g, ' ');
        out.push({ t: 'code', text: body.length > 2 && body.startsWith(' ') && body.endsWith(' ') ? body.slice(1, -1) : body });
        i = close + n;
      } else {
        parts.push('`'.repeat(n));
        i += n;
      }
      continue;
    }
    if ((ch === '*' || ch === '_') && depth < maxDepth) {
      const double = s[i + 1] === ch;
      const kind = double ? ch + ch : ch;
      const width = double ? 2 : 1;
      const after = s[i + width] ?? ' ';
      const before = i > 0 ? s[i - 1]! : ' ';
      const opens = after !== ' ' && after !== '\n' && (ch === '*' || PUNCT_OR_SPACE.test(before));
      const close = opens ? nextAt(closers[kind]!, i + width + 1, to) : -1;
      if (close > 0) {
        flush();
        out.push({ t: double ? 'strong' : 'em', children: inlineRange(s, i + width, close, closers, depth + 1, maxDepth) });
        i = close + width;
        continue;
      }
      parts.push(s.slice(i, i + width));
      i += width;
      continue;
    }
    if (ch === '[' || (ch === '!' && s[i + 1] === '[')) {
      const image = ch === '!';
      const open = image ? i + 1 : i;
      const end = nextAt(closers[']']!, open + 1, to);
      const paren = end > 0 && s[end + 1] === '(' ? nextAt(closers[')']!, end + 2, to) : -1;
      if (paren > 0) {
        flush();
        const href = s.slice(end + 2, paren).trim().split(/\s+/)[0] ?? '';
        const label = s.slice(open + 1, end);
        if (image) out.push({ t: 'image', alt: label, src: href });
        else out.push({ t: 'link', href, children: depth < maxDepth ? inlineRange(s, open + 1, end, closers, depth + 1, maxDepth) : [{ t: 'text', text: label }] });
        i = paren + 1;
        continue;
      }
    }
    parts.push(ch);
    i += 1;
  }
  trailingSpaces();
  flush();
  return out;
}

/** The plain text of inlines (for titles, tests and counting). */
export function inlineText(nodes: readonly Inline[]): string {
  return nodes
    .map((n) => {
      switch (n.t) {
        case 'text':
        case 'code':
          return n.text;
        case 'em':
        case 'strong':
          return inlineText(n.children);
        case 'link':
          return `${inlineText(n.children)} (${n.href})`;
        case 'image':
          return `[image: ${n.alt}]`;
        case 'break':
          return '\n';
      }
    })
    .join('');
}
