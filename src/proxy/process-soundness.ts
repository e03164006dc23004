import type { Logger } from '../logging/logger.js';

// Some damage a process can not serve through and can not undo: a built-in prototype that gained
// properties (one request's `__proto__` once reached Object.prototype; from then on every `for…in`
// in the process, ours and the libraries', saw the extra keys, and every search failed while
// /readyz said ready). The checks here are cheap enough to run on every /readyz and /healthz.

/** One check: null when fine, else a short description of what is wrong. */
export type SoundnessCheck = () => string | null;

// The two every parsed JSON value inherits from (other built-ins are left alone: some libraries
// add to them on purpose).
const GUARDED: readonly [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
];

/**
 * Fails once a built-in prototype has a property it did not have when the check was made, or a
 * fresh `{}` / `[]` enumerates anything (the canary: a plain object has no keys of its own).
 */
export function builtInPrototypeCheck(): SoundnessCheck {
  const known = GUARDED.map(([, proto]) => new Set(Reflect.ownKeys(proto)));
  return () => {
    const canary: string[] = [];
    for (const key in {}) canary.push(key);
    for (const key in []) canary.push(key);
    if (canary.length > 0) return `a fresh object enumerates ${describeKeys(canary)}`;
    for (let i = 0; i < GUARDED.length; i++) {
      const [name, proto] = GUARDED[i]!;
      const added = Reflect.ownKeys(proto).filter((key) => !known[i]!.has(key));
      if (added.length > 0) return `${name} gained ${describeKeys(added)}`;
    }
    return null;
  };
}

/** At most a few key names, each cut short: the message goes to a log line. */
function describeKeys(keys: readonly (string | symbol)[]): string {
  const shown = keys.slice(0, 5).map((k) => JSON.stringify(String(k).slice(0, 40)));
  return shown.join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');
}

export interface ProcessSoundness {
  /** null while every check passes; once one fails, its problem from then on (no recovery). */
  problem(): string | null;
}

/**
 * Runs the checks on demand. The first failure is logged once (error) and sticks: a process that
 * was damaged this way stays unready and unhealthy until it is restarted.
 */
export function createProcessSoundness(logger: Logger, checks: readonly SoundnessCheck[] = [builtInPrototypeCheck()]): ProcessSoundness {
  let failed: string | null = null;
  return {
    problem() {
      if (failed !== null) return failed;
      for (const check of checks) {
        let problem: string | null;
        try {
          problem = check();
        } catch (err) {
          problem = `self-check threw: ${String((err as Error)?.message ?? 'unknown error').slice(0, 200)}`;
        }
        if (problem !== null) {
          failed = problem;
          logger.error({ problem }, 'process can no longer serve safely: /readyz and /healthz answer 503 until a restart');
          return failed;
        }
      }
      return null;
    },
  };
}
