import { describe, expect, it } from 'vitest';
import { addUserAgentContext, parseUserAgent } from './user-agent.js';

const IPAD = 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1';
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const FIREFOX_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('user agent → context', () => {
  it('finds device, OS and browser as Segment names them', () => {
    expect(parseUserAgent(IPAD)).toEqual({
      device: { manufacturer: 'Apple', model: 'iPad', type: 'tablet' },
      os: { name: 'iOS', version: '16.6' },
      browser: { name: 'Mobile Safari', version: '16.6' },
    });
    expect(parseUserAgent(ANDROID)).toMatchObject({ device: { manufacturer: 'Google', model: 'Pixel 8', type: 'mobile' }, os: { name: 'Android', version: '14' } });
    expect(parseUserAgent(FIREFOX_WIN)).toEqual({ device: { type: 'desktop' }, os: { name: 'Windows', version: '10' }, browser: { name: 'Firefox', version: '133.0' } });
  });

  it('leaves out what a non-browser agent does not tell', () => {
    expect(parseUserAgent('analytics-node-next/1.0.0')).toEqual({ device: undefined, os: undefined, browser: undefined });
  });

  it('fills only what the SDK did not send or sent empty, and never touches the sent objects', () => {
    const sentOs = { name: 'iPadOS', version: '' };
    const context: Record<string, unknown> = { os: sentOs, device: { id: 'd-1', type: 'ipad' } };
    addUserAgentContext(context, IPAD);
    expect(context).toEqual({
      os: { name: 'iPadOS', version: '16.6' },
      device: { id: 'd-1', type: 'ipad', manufacturer: 'Apple', model: 'iPad' },
      browser: { name: 'Mobile Safari', version: '16.6' },
    });
    expect(sentOs).toEqual({ name: 'iPadOS', version: '' });
    // The cached parse is not shared with the event either.
    (context.browser as Record<string, string>).name = 'changed';
    expect(parseUserAgent(IPAD).browser).toEqual({ name: 'Mobile Safari', version: '16.6' });
  });

  it('keeps a non-object the SDK sent in place of an object', () => {
    const context: Record<string, unknown> = { os: 'iOS 17' };
    addUserAgentContext(context, IPAD);
    expect(context.os).toBe('iOS 17');
  });
});
