// What each destination connector needs (src/destinations/connectors/*.ts and docs/destinations.md):
// its kind and the config and secret fields of its form.
export type FieldType = 'text' | 'password' | 'number' | 'boolean' | 'textarea' | 'select';
export interface ConnectorField {
  name: string;
  in: 'config' | 'secrets';
  type: FieldType;
  required?: boolean;
  options?: string[];
  placeholder?: string;
}
export interface ConnectorSpec {
  kind: 'events' | 'audience';
  fields: ConnectorField[];
}

export const CONNECTORS: Record<string, ConnectorSpec> = {
  meta: {
    kind: 'audience',
    fields: [
      { name: 'apiVersion', in: 'config', type: 'text', placeholder: 'v21.0' },
      { name: 'accessToken', in: 'secrets', type: 'password', required: true },
      { name: 'apiBaseUrl', in: 'config', type: 'text', placeholder: 'https://graph.facebook.com' },
    ],
  },
  google_ads: {
    kind: 'audience',
    fields: [
      { name: 'customerId', in: 'config', type: 'text', required: true, placeholder: '123-456-7890' },
      { name: 'loginCustomerId', in: 'config', type: 'text' },
      { name: 'accessToken', in: 'secrets', type: 'password', required: true },
      { name: 'developerToken', in: 'secrets', type: 'password', required: true },
      { name: 'apiBaseUrl', in: 'config', type: 'text', placeholder: 'https://googleads.googleapis.com' },
    ],
  },
  line: {
    kind: 'events',
    fields: [
      { name: 'mode', in: 'config', type: 'select', options: ['push', 'multicast', 'broadcast'] },
      { name: 'text', in: 'config', type: 'textarea', placeholder: 'Thanks for your order, {{ profile.name }}!' },
      { name: 'recipientPath', in: 'config', type: 'text', placeholder: 'line_user_id' },
      { name: 'channelAccessToken', in: 'secrets', type: 'password', required: true },
      { name: 'apiBaseUrl', in: 'config', type: 'text', placeholder: 'https://api.line.me' },
    ],
  },
  smtp: {
    kind: 'events',
    fields: [
      { name: 'host', in: 'config', type: 'text', required: true, placeholder: 'smtp.example.com' },
      { name: 'port', in: 'config', type: 'number', placeholder: '587' },
      { name: 'secure', in: 'config', type: 'boolean' },
      { name: 'from', in: 'config', type: 'text', required: true, placeholder: 'Shop <hello@example.com>' },
      { name: 'subject', in: 'config', type: 'text', required: true, placeholder: 'Your order, {{ profile.name }}' },
      { name: 'text', in: 'config', type: 'textarea' },
      { name: 'html', in: 'config', type: 'textarea' },
      { name: 'recipientPath', in: 'config', type: 'text', placeholder: 'email' },
      { name: 'unsubscribeBaseUrl', in: 'config', type: 'text', placeholder: 'https://cdp.example.com' },
      { name: 'user', in: 'secrets', type: 'text' },
      { name: 'pass', in: 'secrets', type: 'password' },
    ],
  },
  fcm: {
    kind: 'events',
    fields: [
      { name: 'serviceAccount', in: 'secrets', type: 'textarea', required: true, placeholder: '{"type": "service_account", "project_id": "…", "client_email": "…", "private_key": "…"}' },
      { name: 'projectId', in: 'config', type: 'text', placeholder: 'my-app-12345' },
      { name: 'title', in: 'config', type: 'text', required: true, placeholder: 'Hi {{ profile.first_name }}' },
      { name: 'body', in: 'config', type: 'textarea', required: true, placeholder: 'Your cart is waiting: {{ properties.item }}' },
      { name: 'image', in: 'config', type: 'text', placeholder: 'https://cdn.example.com/banner.png' },
      { name: 'tokenUri', in: 'config', type: 'text', placeholder: 'https://oauth2.googleapis.com/token' },
      { name: 'apiBaseUrl', in: 'config', type: 'text', placeholder: 'https://fcm.googleapis.com' },
    ],
  },
  webhook: {
    kind: 'events',
    fields: [
      { name: 'url', in: 'config', type: 'text', required: true, placeholder: 'https://example.com/hook' },
      { name: 'signingSecret', in: 'secrets', type: 'password' },
    ],
  },
};
export const CONNECTOR_NAMES = Object.keys(CONNECTORS);
