// The pure parts of MQTT sources: topic-filter matching and message mapping.
import { describe, expect, it } from 'vitest';
import { mapMqttMessage, topicMatches } from '../src/sources/mqtt/map-message.js';

describe('MQTT topic filters', () => {
  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
    ['a/+/c', 'a/b/c/d', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', 'x/y', true],
    ['a/b', 'a/b', true],
    ['+/+', 'a', false],
  ])('%s matches %s: %s', (filter, topic, expected) => expect(topicMatches(filter, topic)).toBe(expected));
});

describe('MQTT message mapping', () => {
  const settings = { brokerUrl: 'mqtt://x', topics: ['d/+'], mapping: { deviceId: { field: 'meta.device' } } };

  it('takes the device id from a payload field and keeps non-JSON payloads as a value', () => {
    expect(mapMqttMessage(settings, 'd/1', Buffer.from('{"meta":{"device":7},"v":1}'))).toMatchObject({ event: 'Device Message', anonymousId: 'device:7', properties: { v: 1, device_id: '7' } });
    expect(() => mapMqttMessage(settings, 'd/1', Buffer.from('21.5'))).toThrow(/no device id at payload field meta.device/);
    const byTopic = { ...settings, mapping: { deviceId: { topicLevel: 1 } } };
    expect(mapMqttMessage(byTopic, 'd/th-9', Buffer.from('21.5'))).toMatchObject({ anonymousId: 'device:th-9', properties: { value: 21.5 } });
    expect(mapMqttMessage(byTopic, 'd/th-9', Buffer.from('on'))).toMatchObject({ properties: { value: 'on' } });
  });

  it('derives the messageId from the bytes only when the reading carries its own time', () => {
    const timed = { ...settings, mapping: { deviceId: { topicLevel: 1 }, timestampField: 't' } };
    const a = mapMqttMessage(timed, 'd/1', Buffer.from('{"t":1767261600000}'));
    expect(a.timestamp).toBe('2026-01-01T10:00:00.000Z');
    expect(a.messageId).toBe(mapMqttMessage(timed, 'd/1', Buffer.from('{"t":1767261600000}')).messageId);
    expect(a.messageId).not.toBe(mapMqttMessage(timed, 'd/2', Buffer.from('{"t":1767261600000}')).messageId);
    expect(mapMqttMessage({ ...timed, mapping: { deviceId: { topicLevel: 1 } } }, 'd/1', Buffer.from('{}')).messageId).toBeUndefined();
    expect(() => mapMqttMessage(timed, 'd/1', Buffer.from('{"t":"soon"}'))).toThrow(/not a time/);
  });
});
