/** The committed resolver types must be what codegen makes of schema.graphql today. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');

it('src/graphql/generated.ts is up to date with schema.graphql (run `npm run codegen`)', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'codegen-'));
  try {
    const output = join(directory, 'generated.ts');
    await promisify(execFile)(
      process.execPath,
      [join(root, 'node_modules/@graphql-codegen/cli/esm/bin.js'), '--config', 'codegen.ts', '--silent'],
      { cwd: root, env: { ...process.env, CODEGEN_OUTPUT: output } },
    );
    const committed = await readFile(join(root, 'src/graphql/generated.ts'), 'utf8');
    expect(committed).toBe(await readFile(output, 'utf8'));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}, 60_000); // a child process running codegen: seconds, many more on a loaded machine
