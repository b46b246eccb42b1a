/**
 * Production runs the build without the dev dependencies (README, Operations: `npm prune
 * --omit=dev`): every package the built server loads must be a runtime dependency. Reads the
 * build (`npm test` runs `npm run build` first).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const root = join(__dirname, '..');
const built = join(root, 'dist', 'src');
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`); null for relative paths and Node's own modules. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('the build', () => {
  const files = readdirSync(built, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
  // TypeScript compiles `import` and `import()` alike to `require("…")`.
  const loaded = files.flatMap((file) =>
    [...readFileSync(join(built, file), 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => ({ file, specifier: match[1]! })),
  );

  it('is there to read', () => {
    expect(files).toContain('main.js');
    expect(loaded.map(({ specifier }) => specifier)).toContain('@apollo/server');
  });

  it('loads no package that is not a runtime dependency', () => {
    const outside = loaded.filter(({ specifier }) => {
      const name = packageOf(specifier);
      return name !== null && !(name in dependencies);
    });
    expect(outside).toEqual([]);
  });
});
