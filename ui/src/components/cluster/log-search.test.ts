import { describe, expect, it } from 'vitest';
import { countOf, formatLogTime } from '../../lib/format.ts';
import { countMatches, splitMatches } from './log-search.ts';

describe('log search', () => {
  it('splits a line into matching and other runs, ignoring case and taking the query literally', () => {
    expect(splitMatches('GET /a?b=1 (x+y)', '(X+Y)')).toEqual([
      { text: 'GET /a?b=1 ', match: false },
      { text: '(x+y)', match: true },
    ]);
    expect(splitMatches('aaa', 'a').filter((p) => p.match)).toHaveLength(3);
    expect(splitMatches('no match here', 'zzz')).toEqual([{ text: 'no match here', match: false }]);
    expect(splitMatches('', 'x')).toEqual([{ text: '', match: false }]);
    expect(splitMatches('anything', '  ')).toEqual([{ text: 'anything', match: false }]);
  });

  it('counts every occurrence', () => {
    expect(countMatches('error: Error ERROR', 'error')).toBe(3);
    expect(countMatches('error', '')).toBe(0);
  });
});

describe('words and times on screen', () => {
  it('puts a count and its noun in the right number', () => {
    expect(countOf(1, 'link')).toBe('1 link');
    expect(countOf(0, 'link')).toBe('0 links');
    expect(countOf(2, 'old pod')).toBe('2 old pods');
    expect(countOf(1, 'match', 'matches')).toBe('1 match');
    expect(countOf(3, 'match', 'matches')).toBe('3 matches');
  });

  it('writes a log time in 24-hour form to the millisecond', () => {
    const t = new Date(2026, 11, 2, 17, 4, 5, 7).getTime();
    expect(formatLogTime(t)).toBe('17:04:05.007');
  });
});
