import type { NextFunction, Request, Response } from 'express';
import { sendJsonError as sendApiError } from '../http/json-error.js';

export const MAX_JSON_DEPTH = 20;

/** Nesting depth of a parsed JSON value (a scalar is 0, `{}` and `[]` are 1). Iterative: no stack to blow. */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.value === null || typeof top.value !== 'object') continue;
    const depth = top.depth + 1;
    if (depth > maxDepth) return true;
    const children = Array.isArray(top.value) ? top.value : Object.values(top.value as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ value: child, depth });
  }
  return false;
}

/**
 * Runs after express.json on every API (mounted first among the API routers): a body nested
 * deeper than `maxDepth` is refused with 400 before any handler walks it. No real event batch or
 * settings document is nested more than 4 levels.
 */
export function createJsonDepthGuard(maxDepth = MAX_JSON_DEPTH) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (jsonDepthExceeds(req.body, maxDepth)) {
      return sendApiError(res, 400, 'too_deep', `body: JSON nested deeper than ${maxDepth} levels`, 'body');
    }
    next();
  };
}
