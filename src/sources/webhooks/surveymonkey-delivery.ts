// What a SurveyMonkey response_completed delivery says by itself, shared by the webhook transform
// (surveymonkey.ts) and the API fetch that completes it (surveymonkey-api.ts).
import { PayloadReader, isObj } from './payload.js';

const r = new PayloadReader('surveymonkey');

/** The message parts a response_completed delivery gives by itself; undefined for other events. */
export type SurveyMonkeyDelivery = NonNullable<ReturnType<typeof surveyMonkeyDelivery>>;

export function surveyMonkeyDelivery(payload: unknown) {
  const body = r.obj(payload, 'body');
  if (body.event_type !== 'response_completed') return undefined;
  const eventId = r.id(body.event_id, 'event_id');
  const res = isObj(body.resources) ? body.resources : {};
  const responseId = r.id(body.object_id, 'object_id');
  const respondentId = r.optId(res.respondent_id) ?? responseId;
  const recipientId = r.optId(res.recipient_id);
  const surveyId = r.optId(res.survey_id) ?? r.optId(body.filter_id);
  return {
    eventId,
    surveyId,
    responseId,
    message: {
      vendor: 'surveymonkey',
      event: 'Survey Answered',
      messageId: `surveymonkey:${eventId}`,
      anonymousId: `surveymonkey:respondent:${respondentId}`,
      timestamp: r.optTime(body.event_datetime, 'event_datetime'),
      properties: { survey_id: surveyId, survey_vendor: 'surveymonkey', response_id: responseId, collector_id: r.optId(res.collector_id) },
      // recipient_id "0" means the response did not come through an email invitation.
      traits: { surveymonkey_recipient_id: recipientId === '0' ? undefined : recipientId } as Record<string, unknown>,
    },
  };
}
