// Boundary shapes of MQTT sources.
import { Type, type Static } from '@sinclair/typebox';

const Path = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*$', description: 'dot path into the JSON payload, e.g. "meta.device"' });

export const MqttMapping = Type.Object(
  {
    deviceId: Type.Object(
      {
        topicLevel: Type.Optional(Type.Integer({ minimum: 0, maximum: 31, description: 'index of the topic level holding the device id: 1 in "devices/<id>/telemetry"' })),
        field: Type.Optional(Path),
      },
      { additionalProperties: false, description: 'where the device id is: a topic level or a payload field (one of them)' },
    ),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'event name; default "Device Message"' })),
    eventField: Type.Optional(Path),
    propertiesField: Type.Optional(Path),
    timestampField: Type.Optional(Path),
  },
  { additionalProperties: false },
);

export const MqttSettings = Type.Object(
  {
    brokerUrl: Type.String({ pattern: '^(mqtts?|wss?|tcp|ssl)://', maxLength: 500, description: 'e.g. mqtt://broker:1883; credentials go in username/password' }),
    username: Type.Optional(Type.String({ maxLength: 200 })),
    topics: Type.Array(Type.String({ minLength: 1, maxLength: 500, description: 'topic filter; + and # wildcards allowed' }), { minItems: 1, maxItems: 50 }),
    qos: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)], { description: 'default 1: a message is acknowledged only once its event is in the log' })),
    mapping: MqttMapping,
  },
  { additionalProperties: false },
);
export type MqttSettings = Static<typeof MqttSettings>;

export const PutMqttBody = Type.Composite([MqttSettings, Type.Object({ password: Type.Optional(Type.String({ maxLength: 500 })) })], { additionalProperties: false });
export type PutMqttBody = Static<typeof PutMqttBody>;

export const MqttSource = Type.Composite([
  MqttSettings,
  Type.Object({
    sourceId: Type.String(),
    hasPassword: Type.Boolean(),
    status: Type.Object({
      running: Type.Boolean({ description: 'this process holds the subscription' }),
      connected: Type.Boolean(),
      messages: Type.Integer({ description: 'messages turned into events since this process started' }),
      lastError: Type.Union([Type.String(), Type.Null()]),
    }),
    updatedAt: Type.String({ format: 'date-time' }),
  }),
]);
