import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('configuration from the environment', () => {
  it('reads comma-separated lists of trusted proxies and admin origins', () => {
    const config = loadConfig({}, { MERIDIAN_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,', MERIDIAN_ADMIN_ORIGINS: 'https://admin.example' });
    expect(config.trustedProxies).toEqual(['10.0.0.1', '192.168.0.0/16']);
    expect(config.adminOrigins).toEqual(['https://admin.example']);
    expect(loadConfig({}, {}).trustedProxies).toEqual([]);
  });

  it('names the setting when an admin origin or the public URL is not one', () => {
    expect(() => loadConfig({}, { MERIDIAN_ADMIN_ORIGINS: 'https://admin.example/console' })).toThrow(/adminOrigins/);
    expect(() => loadConfig({}, { MERIDIAN_PUBLIC_URL: 'shop.example/cdp' })).toThrow(/publicUrl/);
    expect(loadConfig({}, { MERIDIAN_PUBLIC_URL: 'https://shop.example/cdp' }).publicUrl).toBe('https://shop.example/cdp');
  });

  it('reads personal-data fields as field:kind and refuses an unknown kind', () => {
    expect(loadConfig({}, { MERIDIAN_PII_FIELDS: 'loyalty_id:pii, nickname:name' }).piiFields).toEqual(['loyalty_id:pii', 'nickname:name']);
    expect(() => loadConfig({}, { MERIDIAN_PII_FIELDS: 'loyalty_id:secret' })).toThrow(/piiFields/);
  });
});
