import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeEach } from 'vitest';

// Every property test runs with one known seed, so a failure replays exactly: FC_SEED from the
// environment, else a fixed one. fast-check's own failure message names the seed and path it ran
// with (this global seed unless a test sets its own); a failed test in a file that uses
// fast-check also gets a line saying how to replay it.

const DEFAULT_SEED = 20261206;

function seedFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed | 0;
}

export const FC_SEED = seedFromEnv(process.env.FC_SEED);

fc.configureGlobal({ seed: FC_SEED });

const usesFastCheck = new Map<string, boolean>();

beforeEach(({ onTestFailed, task }) => {
  onTestFailed(() => {
    const file = task.file.filepath;
    let uses = usesFastCheck.get(file);
    if (uses === undefined) {
      try {
        uses = readFileSync(file, 'utf8').includes('fast-check');
      } catch {
        uses = true;
      }
      usesFastCheck.set(file, uses);
    }
    if (uses) console.error(`fast-check seed ${FC_SEED}: replay with FC_SEED=${FC_SEED} npx vitest run ${task.file.name} -t ${JSON.stringify(task.name)}`);
  });
});
