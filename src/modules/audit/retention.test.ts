import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.ts';

describe('audit retention configuration', () => {
  it('keeps entries 6 years by default', () => {
    expect(loadConfig({}).audit.retentionDays).toBeGreaterThanOrEqual(6 * 365);
  });

  it('refuses a retention shorter than 6 years, naming the variable', () => {
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '365' })).toThrow(ConfigError);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '365' })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '3650' }).audit.retentionDays).toBe(3650);
  });
});
