// Boundary shapes of the auth API.
import { Type, type Static } from '@sinclair/typebox';

export const Me = Type.Object({
  role: Type.Union([Type.Literal('admin'), Type.Literal('manager'), Type.Literal('analyst'), Type.Literal('support')]),
  keyId: Type.String({ description: 'id of the API key (`env` for MERIDIAN_ADMIN_KEY)' }),
});
export type Me = Static<typeof Me>;
