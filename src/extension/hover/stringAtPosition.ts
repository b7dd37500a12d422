/**
 * Finds the string under the cursor on one line of code or prose, so the hover can ask the
 * key index about it. Pure: no vscode, no I/O. Only one line is looked at because state-dict
 * keys never span lines.
 */

export interface StringAtPosition {
  /** The string's value (escapes resolved for quoted literals). */
  readonly text: string;
  /** Column range of the whole token on the line, quotes included: [start, end). */
  readonly start: number;
  readonly end: number;
}

/** How a language writes strings on one line. */
interface LineSyntax {
  /** Quote characters that open a literal. */
  readonly quotes: string;
  /** Python allows ''' and """. */
  readonly tripleQuotes: boolean;
  /** YAML single-quoted scalars escape a quote by doubling it and have no backslash escapes. */
  readonly doubledQuoteEscape: string;
  /** Whether a line comment starts at column `i` (only asked outside literals). */
  readonly commentAt: (line: string, i: number) => boolean;
  /** Outside literals (and in comments), take a bare dotted word under the cursor. */
  readonly bareWords: 'always' | 'comments' | 'never';
}

const PYTHON: LineSyntax = {
  quotes: `'"`,
  tripleQuotes: true,
  doubledQuoteEscape: '',
  commentAt: (line, i) => line[i] === '#',
  bareWords: 'comments',
};

const JSON_SYNTAX: LineSyntax = {
  quotes: '"',
  tripleQuotes: false,
  doubledQuoteEscape: '',
  commentAt: (line, i) => line.startsWith('//', i),
  bareWords: 'never',
};

const YAML: LineSyntax = {
  quotes: `'"`,
  tripleQuotes: false,
  doubledQuoteEscape: "'",
  commentAt: (line, i) => line[i] === '#' && (i === 0 || /\s/.test(line[i - 1] ?? '')),
  bareWords: 'always',
};

// Prose: apostrophes are not quotes, so only backticks and double quotes delimit; any other
// key-looking word is taken as is.
const PROSE: LineSyntax = {
  quotes: '`"',
  tripleQuotes: false,
  doubledQuoteEscape: '',
  commentAt: () => false,
  bareWords: 'always',
};

function syntaxFor(languageId: string): LineSyntax {
  switch (languageId) {
    case 'python':
      return PYTHON;
    case 'json':
    case 'jsonc':
      return JSON_SYNTAX;
    case 'yaml':
      return YAML;
    default:
      return PROSE;
  }
}

/** Characters of a bare (unquoted) key or path: `module.v.blocks.0`, `ckpt/model.pth`. */
const WORD_CHAR = /[\w./-]/;

/**
 * The string literal (or, where the language allows, bare key-like word) that contains
 * `column` on `line`. `languageId` is a VS Code language id; unknown ids are read as prose.
 */
export function stringAtPosition(line: string, column: number, languageId: string): StringAtPosition | undefined {
  const syntax = syntaxFor(languageId);
  let i = 0;
  while (i < line.length) {
    if (syntax.commentAt(line, i)) {
      if (column >= i && syntax.bareWords !== 'never') return bareWordAt(line, column);
      return undefined;
    }
    const ch = line[i] ?? '';
    if (syntax.quotes.includes(ch)) {
      const literal = scanLiteral(line, i, syntax);
      if (column >= literal.start && column < literal.end) return literal;
      if (column < literal.start) break;
      i = literal.end;
      continue;
    }
    if (i > column) break;
    i++;
  }
  return syntax.bareWords === 'always' ? bareWordAt(line, column) : undefined;
}

/** Reads the literal opening at `open`; an unterminated literal runs to the end of the line. */
function scanLiteral(line: string, open: number, syntax: LineSyntax): StringAtPosition {
  const quote = line[open] ?? '';
  const triple = syntax.tripleQuotes && line.startsWith(quote.repeat(3), open);
  const delimiter = triple ? quote.repeat(3) : quote;
  const backslashEscapes = quote !== '`' && quote !== syntax.doubledQuoteEscape;
  let text = '';
  let i = open + delimiter.length;
  while (i < line.length) {
    if (line.startsWith(delimiter, i)) {
      if (!triple && quote === syntax.doubledQuoteEscape && line[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return { text, start: open, end: i + delimiter.length };
    }
    const ch = line[i] ?? '';
    if (ch === '\\' && backslashEscapes && i + 1 < line.length) {
      const hex = /^u([0-9a-fA-F]{4})/.exec(line.slice(i + 1, i + 6));
      text += hex ? String.fromCharCode(parseInt(hex[1] ?? '0', 16)) : unescape(line[i + 1] ?? '');
      i += hex ? 6 : 2;
      continue;
    }
    text += ch;
    i++;
  }
  return { text, start: open, end: line.length };
}

function unescape(ch: string): string {
  switch (ch) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    default:
      return ch;
  }
}

function bareWordAt(line: string, column: number): StringAtPosition | undefined {
  if (!WORD_CHAR.test(line[column] ?? '')) return undefined;
  let start = column;
  while (start > 0 && WORD_CHAR.test(line[start - 1] ?? '')) start--;
  let end = column + 1;
  while (end < line.length && WORD_CHAR.test(line[end] ?? '')) end++;
  // A sentence may end right after a key: "see module.v.norm." keeps the key.
  while (end > start && line[end - 1] === '.') end--;
  if (end <= start || column >= end) return undefined;
  return { text: line.slice(start, end), start, end };
}
