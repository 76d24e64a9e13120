// The support bundle's last line of defence (pure): every line of every member passes through a
// scrubber before it is written, whatever collector produced it. It removes what must never leave
// the device even if a collector or a log line let it through: literal secrets the device knows
// (scrape token, setup code, the cluster token), private key blocks, password hashes, bearer
// tokens, JWTs, credentials in URLs, and values of fields, flags and variables named like secrets.
// Structural redaction (redact-pure.ts) runs first; this only has to catch what slipped past it.

export const REDACTED = '[redacted]';

const SECRET_WORDS = 'passw(?:or)?d|passphrase|secret|token|api[-_]?key|private[-_]?key|access[-_]?key|client[-_]?key|signing[-_]?key|credentials?|cookie';
const SECRET_WORD = new RegExp(SECRET_WORDS, 'i');
/** Names that mention a secret but hold something else: a reference, a path, a count, a time. */
const NOT_A_VALUE = /(name|names|ref|file|path|dir|namespace|seconds|count|type|mode|expiry|expiration|ttl|length|at|audiences?|enabled|hash_?algorithm)$/i;

/** Whether a field, flag or variable of this name holds a secret value. */
export function isSecretName(name: string): boolean {
  return SECRET_WORD.test(name) && !NOT_A_VALUE.test(name.replace(/[-_.]+$/, ''));
}

const NAME_CHARS = 'A-Za-z0-9_.\\-';
// Each pattern starts at a boundary (lookbehind) so a long run of name characters is scanned once.
const PEM_ONE_LINE = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?-----END \1-----/g;
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;
const SCRYPT_HASH = /scrypt\$N=\d+,r=\d+,p=\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+/g;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{6,}/g;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+):([^@\s"'/]+)@/gi;
const SETUP_CODE = /(setup code\W{0,3})([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/gi;
const JSON_FIELD = /"([A-Za-z0-9_.-]*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
// A value already redacted is matched whole, so scrubbing twice changes nothing.
const VALUE = `(\\[redacted\\]|[^\\s"',;&}\\]]+)`;
const FLAG_VALUE = new RegExp(`(?<![${NAME_CHARS}])(--?[${NAME_CHARS}]+)(\\s+|=|",\\s*")${VALUE}`, 'g');
const KEY_VALUE = new RegExp(`(?<![${NAME_CHARS}])([${NAME_CHARS}]+)(\\s*[:=]\\s*)${VALUE}`, 'g');

export interface LineScrubber {
  /** The line with every secret replaced; a line inside a multi-line private key block becomes one marker. */
  line(text: string): string;
}

/**
 * A scrubber for one member (stateful only across the lines of a multi-line PEM block).
 * `known` are literal secret values; shorter than 6 characters they are ignored (they would
 * match innocent text and are too short to matter).
 */
export function createLineScrubber(known: readonly string[] = []): LineScrubber {
  const literals = [...new Set(known.filter((k) => typeof k === 'string' && k.length >= 6))].sort((a, b) => b.length - a.length);
  let inKeyBlock = false;
  return {
    line(text: string): string {
      if (inKeyBlock) {
        if (!PEM_END.test(text)) return '';
        inKeyBlock = false;
        return `[private key removed by outpost]${scrubText(text.replace(/^[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/, ''), literals)}`;
      }
      let out = scrubText(text, literals);
      const begin = PEM_BEGIN.exec(out);
      if (begin) {
        inKeyBlock = true;
        out = `${out.slice(0, begin.index)}[private key removed by outpost]`;
      }
      return out;
    },
  };
}

function scrubText(input: string, literals: readonly string[]): string {
  let text = input;
  for (const literal of literals) if (text.includes(literal)) text = text.split(literal).join(REDACTED);
  // Each pattern runs only when the line holds what it needs (most log lines hold none of it).
  if (text.includes('-----BEGIN')) text = text.replace(PEM_ONE_LINE, '[private key removed by outpost]');
  if (text.includes('scrypt$')) text = text.replace(SCRYPT_HASH, '[password hash removed by outpost]');
  if (text.includes('eyJ')) text = text.replace(JWT, REDACTED);
  if (text.includes('Bearer') || text.includes('Basic')) text = text.replace(AUTH_SCHEME, (_m, scheme: string, gap: string) => `${scheme}${gap}${REDACTED}`);
  if (text.includes('@') && text.includes('://')) text = text.replace(URL_CREDENTIALS, (_m, head: string) => `${head}:${REDACTED}@`);
  if (/setup code/i.test(text)) text = text.replace(SETUP_CODE, (_m, head: string) => `${head}${REDACTED}`);
  // A value is redacted for its name; without a secret word in the line there is no such name.
  if (!SECRET_WORD.test(text)) return text;
  text = text.replace(JSON_FIELD, (m, name: string, colon: string, value: string) =>
    value !== '' && value !== REDACTED && isSecretName(name) ? `"${name}"${colon}"${REDACTED}"` : m,
  );
  text = redactNamed(text, FLAG_VALUE, (flag) => isSecretName(flag.replace(/^-+/, '')));
  text = redactNamed(text, KEY_VALUE, isSecretName);
  return text;
}

/**
 * Replaces the value after each secret name that `pattern` (groups: name, separator, value) finds.
 * After a harmless name the scan resumes at its value, which may itself hold `token=…`.
 */
function redactNamed(text: string, pattern: RegExp, secret: (name: string) => boolean): string {
  let out = '';
  let copied = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const [whole, name = '', sep = '', value = ''] = m;
    if (value !== REDACTED && secret(name)) {
      out += `${text.slice(copied, m.index)}${name}${sep}${REDACTED}`;
      copied = m.index + whole.length;
    } else pattern.lastIndex = m.index + name.length + sep.length;
  }
  return out + text.slice(copied);
}
