import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { builtInPrototypeCheck, createProcessSoundness } from '../../src/proxy/process-soundness.js';

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { logger: createLogger('info', sink), lines };
}

describe('process soundness', () => {
  it('a damaged prototype is noticed, logged once, and stays noticed after it is undone', () => {
    const { logger, lines } = capturedLogger();
    const soundness = createProcessSoundness(logger);
    expect(soundness.problem()).toBeNull();
    try {
      (Object.prototype as Record<string, unknown>).w = 1;
      expect(soundness.problem()).toContain('"w"');
    } finally {
      delete (Object.prototype as Record<string, unknown>).w;
    }
    expect(soundness.problem()).toContain('"w"');
    expect(lines.filter((l) => l.includes('can no longer serve'))).toHaveLength(1);
  });

  it('notices a non-enumerable addition too, and one on Array.prototype', () => {
    const check = builtInPrototypeCheck();
    try {
      Object.defineProperty(Array.prototype, 'sidecartTest', { value: 1, configurable: true });
      expect(check()).toBe('Array.prototype gained "sidecartTest"');
    } finally {
      delete (Array.prototype as unknown as Record<string, unknown>).sidecartTest;
    }
    expect(check()).toBeNull();
  });

  it('a self-check that throws counts as failed', () => {
    const { logger } = capturedLogger();
    const soundness = createProcessSoundness(logger, [
      () => {
        throw new Error('boom');
      },
    ]);
    expect(soundness.problem()).toBe('self-check threw: boom');
  });
});
