import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import ts from 'typescript';
import { ErrorCode } from '../../src/errors';

/**
 * The one error-code table (src/errors/codes.ts) is complete and is the only place codes are minted:
 * README.md's error table lists exactly its codes, and no source file outside it spells a code as a
 * literal except to compare against one (a `case`, `===`, `!==`).
 */

const ROOT = join(__dirname, '..', '..');
const TABLE_FILE = 'src/errors/codes.ts';
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
/** Node's and axios's own error codes (ECONNRESET, ERR_CANCELED), which this code reads from caught errors. */
const SYSTEM_CODE = /^E[A-Z]+$|^ERR_[A-Z_]+$/;

/** The codes in the first column of README's "### Errors" table (`A`, `B` or `A` with …). */
function readmeCodes(): Set<string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^### Errors$/m)[1]?.split(/^#{2,3} /m)[0];
  if (!section) throw new Error('README.md has no "### Errors" section');
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| code '));
  const found = new Set<string>();
  for (const row of rows) {
    const first = row.split('|')[1];
    for (const [, code] of first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) found.add(code);
  }
  return found;
}

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly literal: string;
  readonly problem: 'minted outside the table' | 'not in the table';
}

const COMPARISONS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

const isComparison = (node: ts.Node): node is ts.BinaryExpression =>
  ts.isBinaryExpression(node) && COMPARISONS.has(node.operatorToken.kind);
const namesCode = (node: ts.Node): boolean =>
  (ts.isPropertyAccessExpression(node) && node.name.text === 'code') || (ts.isIdentifier(node) && node.text === 'code');

/**
 * Code-shaped string literals in one source text, read with TypeScript's parser (comments and
 * template text are not literals). A table code used other than in a comparison is minted here; a
 * literal compared with or assigned to something called `code` must be in the table.
 */
function scanForCodes(file: string, text: string, table: ReadonlySet<string>): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && CODE.test(node.text)) {
      const parent = node.parent;
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const compared = isComparison(parent) || ts.isCaseClause(parent);
      const inType = ts.isLiteralTypeNode(parent);
      const asCode =
        (isComparison(parent) && namesCode(parent.left === node ? parent.right : parent.left)) ||
        (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name) && parent.name.text === 'code');
      if (table.has(node.text) && !compared && !inType)
        findings.push({ file, line, literal: node.text, problem: 'minted outside the table' });
      else if (asCode && !table.has(node.text) && !SYSTEM_CODE.test(node.text))
        findings.push({ file, line, literal: node.text, problem: 'not in the table' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const table = new Set<string>(Object.values(ErrorCode));

describe('the error-code table', () => {
  it('names every code after itself', () => {
    for (const [name, code] of Object.entries(ErrorCode)) expect(name).toBe(code);
  });

  it("is exactly the set of codes README.md's error table documents", () => {
    expect([...readmeCodes()].sort()).toEqual([...table].sort());
  });

  it("holds every code Apollo Server sends here, and only Apollo's codes it does send", () => {
    // Automatic persisted queries are on (server.ts), so Apollo never says they are not supported.
    const notSentHere = new Set<string>([ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED]);
    for (const code of Object.values(ApolloServerErrorCode))
      expect({ code, listed: table.has(code) }).toEqual({ code, listed: !notSentHere.has(code) });
  });
});

describe('codes are minted only in the table', () => {
  it('finds the shapes it looks for (so that a clean scan means something)', () => {
    const sample = [
      "sendJson(res, 413, errorBody('Too large.', 'PAYLOAD_TOO_LARGE'));",
      "throw Object.assign(new Error('x'), { extensions: { code: 'SOMETHING_NEW' } });",
      "if (error.extensions.code === 'NOT_OURS') return;",
      "const retryable = new Set(['RATE_LIMITED']);",
      "if (code === 'FORBIDDEN') count(); // a read: allowed",
      "switch (code) { case 'BAD_USER_INPUT': break; }",
      "if (error.code === 'ECONNRESET' || error.code === 'ERR_CANCELED') retry();",
      "// 'COST_LIMIT_EXCEEDED' in a comment is no literal",
      "type Limited = 'RATE_LIMITED';",
    ].join('\n');
    expect(scanForCodes('sample.ts', sample, table).map((f) => [f.line, f.literal, f.problem])).toEqual([
      [1, 'PAYLOAD_TOO_LARGE', 'minted outside the table'],
      [2, 'SOMETHING_NEW', 'not in the table'],
      [3, 'NOT_OURS', 'not in the table'],
      [4, 'RATE_LIMITED', 'minted outside the table'],
    ]);
  });

  it('src/ spells no code outside the table except to compare with one', () => {
    const findings = sourceFiles(join(ROOT, 'src'))
      .map((path) => relative(ROOT, path).split('\\').join('/'))
      .filter((file) => file !== TABLE_FILE)
      .flatMap((file) => scanForCodes(file, readFileSync(join(ROOT, file), 'utf8'), table));
    expect(findings).toEqual([]);
  });
});
