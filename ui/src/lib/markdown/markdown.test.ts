import { describe, expect, it } from 'vitest';
import { inlineText, parseInline, parseMarkdown, type Block, type Inline } from './markdown.ts';

/** Every string of content in the tree, wherever it sits (text, code, href, alt); not the node kinds. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => (k === 't' || k === 'lang' ? [] : strings(v)));
  return [];
}
const kinds = (blocks: Block[]) => blocks.map((b) => b.t);

describe('markdown: what release notes use', () => {
  it('reads headings, paragraphs, lists, code, quotes, rules and tables', () => {
    const doc = parseMarkdown(
      [
        '# Plant dashboard 1.1.0',
        '',
        'A new **image**, two _replicas_ and `REFRESH_SECONDS`.',
        'Same paragraph.',
        '',
        '- one',
        '- two',
        '  - nested',
        '',
        '3. third',
        '4. fourth',
        '',
        '```yaml',
        'key: <value>',
        '```',
        '',
        '> careful',
        '',
        '---',
        '',
        '| a | b |',
        '|---|:-:|',
        '| 1 | `2` |',
        '',
        'Title',
        '=====',
      ].join('\n'),
    );
    expect(kinds(doc.blocks)).toEqual(['heading', 'paragraph', 'list', 'list', 'code', 'quote', 'rule', 'table', 'heading']);
    const para = doc.blocks[1] as Extract<Block, { t: 'paragraph' }>;
    expect(para.children).toEqual([
      { t: 'text', text: 'A new ' },
      { t: 'strong', children: [{ t: 'text', text: 'image' }] },
      { t: 'text', text: ', two ' },
      { t: 'em', children: [{ t: 'text', text: 'replicas' }] },
      { t: 'text', text: ' and ' },
      { t: 'code', text: 'REFRESH_SECONDS' },
      { t: 'text', text: '. Same paragraph.' },
    ]);
    const bullets = doc.blocks[2] as Extract<Block, { t: 'list' }>;
    expect(bullets.items).toHaveLength(2);
    expect(kinds(bullets.items[1]!)).toEqual(['paragraph', 'list']);
    const ordered = doc.blocks[3] as Extract<Block, { t: 'list' }>;
    expect(ordered).toMatchObject({ ordered: true, start: 3 });
    expect(doc.blocks[4]).toEqual({ t: 'code', text: 'key: <value>', lang: 'yaml' });
    const table = doc.blocks[7] as Extract<Block, { t: 'table' }>;
    expect(table.head.map(inlineText)).toEqual(['a', 'b']);
    expect(table.rows[0]?.map(inlineText)).toEqual(['1', '2']);
    expect(doc.blocks[8]).toMatchObject({ t: 'heading', level: 1 });
    expect(doc.omitted).toBe(0);
  });

  it('keeps snake_case names, lone stars and unmatched brackets as text', () => {
    expect(inlineText(parseInline('set LOG_LEVEL and REFRESH_SECONDS_MAX'))).toBe('set LOG_LEVEL and REFRESH_SECONDS_MAX');
    expect(parseInline('2 * 3 * 4')).toEqual([{ t: 'text', text: '2 * 3 * 4' }]);
    expect(parseInline('[not a link] and (parens)')).toEqual([{ t: 'text', text: '[not a link] and (parens)' }]);
    expect(parseInline('\\*not em\\*')).toEqual([{ t: 'text', text: '*not em*' }]);
  });

  it('keeps a list with blank lines between its items as one list', () => {
    const doc = parseMarkdown('- a\n\n- b\n\n- c\n');
    expect(doc.blocks).toHaveLength(1);
    expect((doc.blocks[0] as Extract<Block, { t: 'list' }>).items).toHaveLength(3);
  });

  it('makes a hard break of two trailing spaces and of a backslash, a space of a plain newline', () => {
    expect(parseInline('a  \nb\\\nc\nd')).toEqual([{ t: 'text', text: 'a' }, { t: 'break' }, { t: 'text', text: 'b' }, { t: 'break' }, { t: 'text', text: 'c d' }]);
  });
});

describe('markdown: hostile notes stay text', () => {
  it('never yields anything but its own node kinds: HTML is text', () => {
    const doc = parseMarkdown('<script>alert(1)</script>\n\n<img src=http://203.0.113.9/x.png onerror=alert(1)>\n\n<iframe src="//evil">');
    expect(kinds(doc.blocks)).toEqual(['paragraph', 'paragraph', 'paragraph']);
    expect(inlineText((doc.blocks[0] as Extract<Block, { t: 'paragraph' }>).children)).toBe('<script>alert(1)</script>');
  });

  it('keeps links and images as data with their address, whatever the scheme', () => {
    const nodes = parseInline('[click](javascript:alert(1)) ![x](http://203.0.113.9/p.png) [d](data:text/html;base64,PHNjcmlwdD4=)');
    const links = nodes.filter((n): n is Extract<Inline, { t: 'link' }> => n.t === 'link');
    const images = nodes.filter((n): n is Extract<Inline, { t: 'image' }> => n.t === 'image');
    // The first `)` closes the link: the address is cut there, the rest is text. Nothing is followed either way.
    expect(links.map((l) => l.href)).toEqual(['javascript:alert(1', 'data:text/html;base64,PHNjcmlwdD4=']);
    expect(images).toEqual([{ t: 'image', alt: 'x', src: 'http://203.0.113.9/p.png' }]);
  });

  it('replaces control characters and NULs', () => {
    const doc = parseMarkdown('a\u0000b\u0007c\u001bd');
    expect(strings(doc.blocks).join('')).toBe('a\ufffdb\ufffdc\ufffdd');
  });

  it('cuts a huge input at the limit and says how much it left out', () => {
    const line = 'x'.repeat(99) + '\n';
    const doc = parseMarkdown(line.repeat(2000), { maxChars: 10_000, maxDepth: 6 });
    // Cut at the last line end before the limit (index 9,999), so no line is shown half.
    expect(doc.omitted).toBe(200_000 - 9_999);
    expect(strings(doc.blocks).join('').length).toBeLessThanOrEqual(10_000);
  });

  it('stops nesting at the depth limit and shows deeper markers as text', () => {
    const doc = parseMarkdown('>'.repeat(50) + ' deep', { maxChars: 1000, maxDepth: 3 });
    let depth = 0;
    let blocks = doc.blocks;
    while (blocks[0]?.t === 'quote') {
      depth += 1;
      blocks = blocks[0].children;
    }
    expect(depth).toBe(3);
    expect(inlineText((blocks[0] as Extract<Block, { t: 'paragraph' }>).children)).toBe(`${'>'.repeat(47)} deep`);
    expect(parseInline('*'.repeat(40) + 'a' + '*'.repeat(40), 0, 3).length).toBeGreaterThan(0);
  });

  // Inputs that make naive parsers quadratic (or worse): each must finish within the test's deadline.
  const PATHOLOGICAL: [string, string][] = [
    ['openers with no closer', '*a '.repeat(20_000)],
    ['underscores inside words', 'a_b'.repeat(20_000)],
    ['brackets with no address', '['.repeat(30_000) + ']'.repeat(30_000)],
    ['backtick runs of every length', Array.from({ length: 300 }, (_, n) => '`'.repeat(n + 1) + 'x').join(' ')],
    ['a heading of spaces', '# ' + ' '.repeat(60_000) + 'x'],
    ['a rule of spaces', '- ' + ' '.repeat(60_000) + 'x'],
    ['a long list with blank lines', '- a\n' + '\n'.repeat(60_000) + '  b'],
    ['many short lines', 'a  \n'.repeat(16_000)],
    ['many list items', '- x\n'.repeat(16_000)],
    ['nested quote and list markers', '> - '.repeat(15_000)],
    ['a table of pipes', '|a|\n|-|\n' + '|'.repeat(60_000)],
  ];
  for (const [name, input] of PATHOLOGICAL) {
    it(`reads ${name} in bounded work`, () => {
      const doc = parseMarkdown(input);
      expect(doc.blocks.length).toBeGreaterThan(0);
      expect(strings(doc.blocks).join('').length).toBeLessThanOrEqual(64 * 1024);
    });
  }
});
