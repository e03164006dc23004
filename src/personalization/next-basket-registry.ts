import type { NextBasketModel } from './next-basket-model.js';

// Loaded next-basket models by the name `personalization.model` gives them (the file path).
// The composition root reads and validates the file (src/model/) and registers it here; a
// profile view looks its config's name up. Keyed by name, not by config object, because a
// config reload builds new objects for the same file.

const models = new Map<string, NextBasketModel>();

export function registerNextBasketModel(name: string, model: NextBasketModel): void {
  models.set(name, model);
}

/** The model a config names, or null (no model configured, or none loaded under that name). */
export function nextBasketModelFor(config: { model?: string | undefined }): NextBasketModel | null {
  return config.model ? (models.get(config.model) ?? null) : null;
}
