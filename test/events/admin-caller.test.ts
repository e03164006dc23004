import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isAdminCall } from '../../src/events/admin-caller.js';

const TOKEN = 'admin-token-0123456789';
const withAuth = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;

describe('admin caller', () => {
  it('accepts exactly the configured bearer token', () => {
    expect(isAdminCall(withAuth(`Bearer ${TOKEN}`), TOKEN)).toBe(true);
    expect(isAdminCall(withAuth(`bearer ${TOKEN}`), TOKEN)).toBe(true);
    expect(isAdminCall(withAuth(`Bearer ${TOKEN}x`), TOKEN)).toBe(false);
    expect(isAdminCall(withAuth(`Bearer ${TOKEN.slice(0, -1)}`), TOKEN)).toBe(false);
    expect(isAdminCall(withAuth(`Basic ${TOKEN}`), TOKEN)).toBe(false);
    expect(isAdminCall(withAuth(TOKEN), TOKEN)).toBe(false);
    expect(isAdminCall(withAuth(), TOKEN)).toBe(false);
  });

  it('is off, not open, without a configured token', () => {
    expect(isAdminCall(withAuth('Bearer '), undefined)).toBe(false);
    expect(isAdminCall(withAuth('Bearer anything'), undefined)).toBe(false);
    expect(isAdminCall(withAuth('Bearer anything'), '')).toBe(false);
  });
});
