/** Why a search response went out as the backend's own bytes. Bounded: these are metric labels. */
export const PASSTHROUGH_REASONS = [
  'budget',
  'disabled',
  'no-identity',
  'no-profile',
  'opted-out',
  'not-json',
  'lossy-number',
  'upstream-status',
  'too-large',
  'unknown-encoding',
  'adapter-mismatch',
  'nothing-to-personalize',
  'request-too-large',
  'past-window',
  'no-window',
  'store-unavailable',
  'control-group',
  'shadow',
  'error',
] as const;
export type PassthroughReason = (typeof PASSTHROUGH_REASONS)[number];
