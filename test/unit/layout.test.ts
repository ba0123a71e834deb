import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The shape ARCHITECTURE.md describes, kept true: a handful of files at the top of src/, every
 * folder of src/ named in ARCHITECTURE.md, and no source file past the size a reader takes in at once.
 */
const root = join(__dirname, '..', '..');
const src = join(root, 'src');
const MAX_LINES = 300;
/** Generated from a .graphql operation by `npm run codegen`: not written by hand. */
const GENERATED = new Set(['src/explorer/page/generated.ts']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the layout ARCHITECTURE.md describes', () => {
  it('keeps src/ top level to the process, the composition root, the context and the schema', () => {
    const files = readdirSync(src).filter((name) => statSync(join(src, name)).isFile());
    expect(files.sort()).toEqual(['app.ts', 'context.ts', 'index.ts', 'schema.ts']);
  });

  it('names every folder of src/ in ARCHITECTURE.md', () => {
    const text = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
    const folders = filesUnder(src)
      .map((file) => relative(root, file).split('/').slice(0, -1).join('/'))
      .filter((dir, i, all) => dir !== 'src' && all.indexOf(dir) === i);
    const missing = folders.filter((dir) => !text.includes(`${dir.replace(/^src\//, '')}/`) && !text.includes(`${dir}/`));
    expect(missing).toEqual([]);
  });

  it(`keeps every hand-written source file within ${MAX_LINES} lines`, () => {
    const long = filesUnder(src)
      .filter((file) => /\.(ts|js)$/.test(file) && !GENERATED.has(relative(root, file)))
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
