// A small Markdown reader for release notes that come inside bundles (untrusted text). It returns a
// tree of plain data, never HTML: the page renders the tree with text nodes only, so no tag, script,
// style or attribute from the notes can ever reach the DOM. Links and images stay text (their
// address is shown, nothing is fetched or followed: the box is air-gapped and the notes are not ours).
// Supported: ATX and setext headings, paragraphs, emphasis, strong, inline code, fenced code, bullet
// and ordered lists (nested), block quotes, rules, pipe tables, links and images (as text), hard
// breaks. Anything else shows as the text it is. Work is bounded: the input is cut at `maxChars`,
// nesting at `maxDepth`, and inline parsing finds closers by binary search in precomputed positions
// (no backtracking regular expression ever sees a whole line), so a hostile file costs O(n log n).

import { MAX_INLINE_DEPTH, parseInline, type Inline } from './inline.ts';

export { inlineText, parseInline, type Inline } from './inline.ts';

export type Block =
  | { t: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
  | { t: 'paragraph'; children: Inline[] }
  | { t: 'code'; text: string; lang: string }
  | { t: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { t: 'quote'; children: Block[] }
  | { t: 'table'; head: Inline[][]; rows: Inline[][][] }
  | { t: 'rule' };

export interface MarkdownDoc {
  blocks: Block[];
  /** Characters of the input not read (past `maxChars`). */
  omitted: number;
}

export interface MarkdownLimits {
  maxChars: number;
  maxDepth: number;
}

export const DEFAULT_LIMITS: MarkdownLimits = { maxChars: 64 * 1024, maxDepth: MAX_INLINE_DEPTH };
const MAX_TABLE_COLUMNS = 20;

export function parseMarkdown(input: string, limits: MarkdownLimits = DEFAULT_LIMITS): MarkdownDoc {
  // NUL and other C0 controls (but tab and newline) have no business in notes.
  // eslint-disable-next-line no-control-regex
  let text = input.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
  let omitted = 0;
  if (text.length > limits.maxChars) {
    const cut = text.lastIndexOf('\n', limits.maxChars);
    const at = cut > limits.maxChars / 2 ? cut : limits.maxChars;
    omitted = text.length - at;
    text = text.slice(0, at);
  }
  const lines = text.split('\n').map((l) => l.replace(/\t/g, '    '));
  return { blocks: parseBlocks(lines, 0, limits.maxDepth), omitted };
}

// ---- blocks ----------------------------------------------------------------------------------

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isBlank = (line: string): boolean => line.trim() === '';

function fenceOf(line: string): { char: string; length: number; info: string } | null {
  if (indentOf(line) > 3) return null;
  const rest = line.trimStart();
  const char = rest[0];
  if (char !== '`' && char !== '~') return null;
  let length = 0;
  while (rest[length] === char) length += 1;
  if (length < 3) return null;
  const info = rest.slice(length).trim();
  if (char === '`' && info.includes('`')) return null;
  return { char, length, info: info.split(' ')[0] ?? '' };
}

function headingOf(line: string): { level: 1 | 2 | 3 | 4 | 5 | 6; text: string } | null {
  if (indentOf(line) > 3) return null;
  const rest = line.trimStart();
  let level = 0;
  while (rest[level] === '#') level += 1;
  if (level < 1 || level > 6) return null;
  const after = rest.slice(level);
  if (after !== '' && after[0] !== ' ') return null;
  let body = after.trim();
  // A closing run of #s preceded by a space is not part of the heading.
  let end = body.length;
  while (end > 0 && body[end - 1] === '#') end -= 1;
  if (end === 0) body = '';
  else if (end < body.length && body[end - 1] === ' ') body = body.slice(0, end).trimEnd();
  return { level: level as 1 | 2 | 3 | 4 | 5 | 6, text: body };
}

function isRule(line: string): boolean {
  if (indentOf(line) > 3) return false;
  const compact = line.replace(/ /g, '');
  const char = compact[0];
  if (compact.length < 3 || (char !== '-' && char !== '*' && char !== '_')) return false;
  for (const c of compact) if (c !== char) return false;
  return true;
}

function setextLevel(line: string): 1 | 2 | null {
  if (indentOf(line) > 3) return null;
  const t = line.trim();
  if (t === '') return null;
  const char = t[0];
  if (char !== '=' && char !== '-') return null;
  for (const c of t) if (c !== char) return null;
  return char === '=' ? 1 : 2;
}

interface ListMarker {
  ordered: boolean;
  start: number;
  /** Column where the item's content begins. */
  content: number;
  bullet: string;
}

function listMarkerOf(line: string): ListMarker | null {
  const indent = indentOf(line);
  if (indent > 3) return null;
  const rest = line.slice(indent);
  let ordered = false;
  let start = 1;
  let width: number;
  let bullet: string;
  if (rest[0] === '-' || rest[0] === '*' || rest[0] === '+') {
    width = 1;
    bullet = rest[0];
  } else {
    let digits = 0;
    while (digits < 9 && rest[digits] !== undefined && rest[digits]! >= '0' && rest[digits]! <= '9') digits += 1;
    if (digits === 0 || (rest[digits] !== '.' && rest[digits] !== ')')) return null;
    ordered = true;
    start = Number(rest.slice(0, digits));
    width = digits + 1;
    bullet = rest[digits]!;
  }
  const after = rest.slice(width);
  if (after !== '' && after[0] !== ' ') return null;
  const gap = after === '' ? 1 : Math.min(indentOf(after), 4);
  return { ordered, start, content: indent + width + (after.trim() === '' ? 1 : gap), bullet };
}

function isQuote(line: string): boolean {
  return indentOf(line) <= 3 && line.trimStart().startsWith('>');
}

function stripQuote(line: string): string {
  const rest = line.trimStart().slice(1);
  return rest.startsWith(' ') ? rest.slice(1) : rest;
}

function splitRow(line: string): string[] {
  let t = line.trim();
  if (t.startsWith('|')) t = t.slice(1);
  if (t.endsWith('|') && !t.endsWith('\\|')) t = t.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < t.length; i += 1) {
    if (t[i] === '\\' && t[i + 1] === '|') {
      cell += '|';
      i += 1;
    } else if (t[i] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += t[i];
  }
  cells.push(cell.trim());
  return cells.slice(0, MAX_TABLE_COLUMNS);
}

function isTableDelimiter(line: string): boolean {
  if (!line.includes('-') || !line.includes('|')) return false;
  return splitRow(line).every((c) => /^:?-+:?$/.test(c));
}

/** Whether `line` would start a block other than a paragraph (so it ends a paragraph). */
function startsBlock(line: string, depth: number, maxDepth: number): boolean {
  if (fenceOf(line) || headingOf(line) || isRule(line)) return true;
  if (depth >= maxDepth) return false;
  return isQuote(line) || listMarkerOf(line) !== null;
}

function parseBlocks(lines: string[], depth: number, maxDepth: number): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i += 1;
      continue;
    }
    const fence = fenceOf(line);
    if (fence) {
      const body: string[] = [];
      const indent = indentOf(line);
      i += 1;
      while (i < lines.length) {
        const close = fenceOf(lines[i]!);
        if (close && close.char === fence.char && close.length >= fence.length && close.info === '') break;
        body.push(lines[i]!.slice(Math.min(indent, indentOf(lines[i]!))));
        i += 1;
      }
      i += 1;
      blocks.push({ t: 'code', text: body.join('\n'), lang: fence.info });
      continue;
    }
    const heading = headingOf(line);
    if (heading) {
      blocks.push({ t: 'heading', level: heading.level, children: parseInline(heading.text, depth, maxDepth) });
      i += 1;
      continue;
    }
    if (isRule(line)) {
      blocks.push({ t: 'rule' });
      i += 1;
      continue;
    }
    if (depth < maxDepth && isQuote(line)) {
      const inner: string[] = [];
      while (i < lines.length && isQuote(lines[i]!)) inner.push(stripQuote(lines[i++]!));
      blocks.push({ t: 'quote', children: parseBlocks(inner, depth + 1, maxDepth) });
      continue;
    }
    const marker = depth < maxDepth ? listMarkerOf(line) : null;
    if (marker) {
      i = parseList(lines, i, marker, depth, maxDepth, blocks);
      continue;
    }
    if (i + 1 < lines.length && line.includes('|') && isTableDelimiter(lines[i + 1]!)) {
      const head = splitRow(line);
      const rows: Inline[][][] = [];
      i += 2;
      while (i < lines.length && !isBlank(lines[i]!) && lines[i]!.includes('|')) {
        const cells = splitRow(lines[i]!);
        rows.push(head.map((_, c) => parseInline(cells[c] ?? '', depth, maxDepth)));
        i += 1;
      }
      blocks.push({ t: 'table', head: head.map((c) => parseInline(c, depth, maxDepth)), rows });
      continue;
    }
    // A paragraph: until a blank line, a setext underline or the start of another block.
    const para: string[] = [line];
    i += 1;
    let level: 1 | 2 | null = null;
    while (i < lines.length && !isBlank(lines[i]!)) {
      level = setextLevel(lines[i]!);
      if (level !== null) {
        i += 1;
        break;
      }
      if (startsBlock(lines[i]!, depth, maxDepth)) break;
      para.push(lines[i]!);
      i += 1;
    }
    const joined = para.map((l, n) => (n < para.length - 1 ? l.trimStart() : l.trim())).join('\n');
    blocks.push(level ? { t: 'heading', level, children: parseInline(joined.trim(), depth, maxDepth) } : { t: 'paragraph', children: parseInline(joined, depth, maxDepth) });
  }
  return blocks;
}

function parseList(lines: string[], from: number, first: ListMarker, depth: number, maxDepth: number, out: Block[]): number {
  const items: Block[][] = [];
  let i = from;
  let marker: ListMarker | null = first;
  while (marker && marker.ordered === first.ordered && marker.bullet === first.bullet) {
    const body: string[] = [lines[i]!.slice(marker.content)];
    i += 1;
    // The item goes on while lines are indented to its content, or continue its text lazily.
    while (i < lines.length) {
      const l = lines[i]!;
      if (isBlank(l)) {
        let next = i + 1;
        while (next < lines.length && isBlank(lines[next]!)) next += 1;
        if (next === lines.length || indentOf(lines[next]!) < marker.content) break;
        for (; i < next; i += 1) body.push('');
        continue;
      }
      if (indentOf(l) >= marker.content) body.push(l.slice(marker.content));
      else if (!isBlank(body[body.length - 1] ?? '') && !startsBlock(l, depth, maxDepth) && listMarkerOf(l) === null) body.push(l.trim());
      else break;
      i += 1;
    }
    items.push(parseBlocks(body, depth + 1, maxDepth));
    // Blank lines between items keep one list.
    let next = i;
    while (next < lines.length && isBlank(lines[next]!)) next += 1;
    marker = next < lines.length ? listMarkerOf(lines[next]!) : null;
    if (marker && marker.ordered === first.ordered && marker.bullet === first.bullet) i = next;
  }
  out.push({ t: 'list', ordered: first.ordered, start: first.start, items });
  return i;
}
