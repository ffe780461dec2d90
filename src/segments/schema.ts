// API shapes of segments, members, tags, RFM and templates.
import { Type, type Static } from '@sinclair/typebox';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const TagName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\s,]+$' });
/** The rule is validated against rule-schema.ts by the service (it is recursive, with 422 messages). */
const RuleBody = Type.Unknown({ description: 'a versioned rule AST: { version: 1, root: condition }' });

export const CreateSegmentBody = Type.Object(
  { name: Name, description: Type.Optional(Type.String({ maxLength: 2000 })), rule: RuleBody, tag: Type.Optional(Type.Union([TagName, Type.Null()])) },
  { additionalProperties: false },
);
export type CreateSegmentBody = Static<typeof CreateSegmentBody>;

export const UpdateSegmentBody = Type.Partial(CreateSegmentBody, { additionalProperties: false });
export type UpdateSegmentBody = Static<typeof UpdateSegmentBody>;

export const Segment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  rule: Type.Unknown(),
  tag: Type.Union([Type.String(), Type.Null()]),
  template: Type.Union([Type.String(), Type.Null()]),
  memberCount: Type.Integer(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
export type Segment = Static<typeof Segment>;

export const PreviewBody = Type.Object(
  { rule: RuleBody, sampleSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) },
  { additionalProperties: false },
);
export type PreviewBody = Static<typeof PreviewBody>;

export const ProfileSample = Type.Object({ profileId: Type.String(), traits: Type.Unknown() });
export const Preview = Type.Object({ count: Type.Integer(), sample: Type.Array(ProfileSample), tookMs: Type.Number() });

export const Member = Type.Object({ profileId: Type.String(), enteredAt: Type.Integer(), triggerSeq: Type.Union([Type.Integer(), Type.Null()]) });
export type Member = Static<typeof Member>;

/** A member's contacts (GET /v1/segments/:id/members?contacts=true): null when the profile has none, left out
 * when the caller's role sees no personal data. */
const Contact = Type.Optional(Type.Union([Type.String(), Type.Null()]));
export const MemberContacts = Type.Object({ email: Contact, phone: Contact, name: Contact });
export const MemberWithContacts = Type.Intersect([Member, Type.Object({ contacts: Type.Optional(MemberContacts) })]);
export type MemberWithContacts = Static<typeof MemberWithContacts>;

export const MembershipChange = Type.Object({
  changeSeq: Type.Integer(),
  segmentId: Type.String(),
  profileId: Type.String(),
  kind: Type.Union([Type.Literal('entered'), Type.Literal('exited')]),
  at: Type.Integer(),
  triggerSeq: Type.Union([Type.Integer(), Type.Null()]),
});
export type MembershipChange = Static<typeof MembershipChange>;

export const ProfileMembership = Type.Object({ segmentId: Type.String(), name: Type.String(), tag: Type.Union([Type.String(), Type.Null()]), enteredAt: Type.Integer() });
export type ProfileMembership = Static<typeof ProfileMembership>;

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String()),
});
export type PageQuery = Static<typeof PageQuery>;

export const Template = Type.Object({ name: Type.String(), title: Type.String(), description: Type.String(), rule: Type.Unknown() });
export type Template = Static<typeof Template>;
export const FromTemplateBody = Type.Object({ name: Type.Optional(Name), tag: Type.Optional(TagName) }, { additionalProperties: false });
export type FromTemplateBody = Static<typeof FromTemplateBody>;

export const TagParams = Type.Object({ tag: TagName });
export const AddTagBody = Type.Object({ profileIds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false });
export type AddTagBody = Static<typeof AddTagBody>;
export const TagSummary = Type.Object({ tag: Type.String(), manualProfiles: Type.Integer(), segmentIds: Type.Array(Type.String()) });
export const TagImportResult = Type.Object({ rows: Type.Integer(), tagged: Type.Integer(), unresolved: Type.Integer(), unresolvedSample: Type.Array(Type.String()) });

export const RfmSettings = Type.Object(
  {
    event: Type.String({ minLength: 1, maxLength: 200 }),
    valueProperties: Type.Array(Type.String({ minLength: 1, pattern: '^[^."\\\\]+(\\.[^."\\\\]+)*$' }), { minItems: 1, maxItems: 5 }),
  },
  { additionalProperties: false },
);
export type RfmSettings = Static<typeof RfmSettings>;
export const RfmRun = Type.Object({ profiles: Type.Integer(), computedAt: Type.Integer(), segmentsRecomputed: Type.Integer() });
export const RfmScore = Type.Object({
  profileId: Type.String(),
  rfm_r: Type.Integer(),
  rfm_f: Type.Integer(),
  rfm_m: Type.Integer(),
  rfm_segment: Type.String(),
  lastAt: Type.Integer(),
  frequency: Type.Integer(),
  monetary: Type.Number(),
});
export type RfmScore = Static<typeof RfmScore>;
