// Survey Answered from SurveyMonkey's API, for a response_completed delivery (which names the
// response only): GET /v3/surveys/{survey}/responses/{response}/details gives the chosen choice and
// row ids, open text and custom variables; GET /v3/surveys/{survey}/details (cached) gives the
// question headings, choice texts and weights those ids refer to.
//
// NPS: SurveyMonkey's public API reference names no NPS question family; its NPS question is a 0–10
// rating scale. A question counts as NPS when it is a rating/choice question whose choices are
// exactly the eleven values 0..10 (read from the leading number of the choice text, else from the
// weights), or when it is explicitly marked (family or display_type "nps").
import { PayloadReader, isObj, npsCategory, trackMessage, type Obj } from './payload.js';
import type { SurveyMonkeyDelivery } from './surveymonkey-delivery.js';
import type { VendorApiClient } from './vendor-api.js';

const r = new PayloadReader('surveymonkey');
const SURVEY_CACHE_MS = 10 * 60_000;
const surveyCache = new Map<string, { at: number; survey: SurveyIndex }>();

interface QuestionDef {
  rows: Map<string, string>;
  choices: Map<string, string>;
  /** choice id → 0..10, only for an NPS question. */
  nps?: Map<string, number>;
}
interface SurveyIndex {
  title?: string;
  questions: Map<string, QuestionDef>;
}

export async function fetchSurveyAnswered(delivery: SurveyMonkeyDelivery, api: VendorApiClient): Promise<Obj> {
  const { responseId, message } = delivery;
  const surveyId = delivery.surveyId ?? r.fail('resources.survey_id', 'is required to fetch the response');
  const response = r.obj(await api.getJson(`/v3/surveys/${enc(surveyId)}/responses/${enc(responseId)}/details`), 'response details');
  const survey = await surveyIndex(api, surveyId);

  const answers: Obj = {};
  let nps: number | undefined;
  for (const page of arr(response.pages))
    for (const q of arr(isObj(page) ? page.questions : undefined)) {
      if (!isObj(q)) continue;
      const qid = r.optId(q.id);
      if (!qid) continue;
      const def = survey.questions.get(qid);
      const given = arr(q.answers).filter(isObj);
      const value = answerValue(given, def);
      if (value !== undefined) answers[qid] = value;
      const npsChoice = def?.nps && given.map((a) => def.nps!.get(r.optId(a.choice_id) ?? '')).find((n) => n !== undefined);
      if (npsChoice !== undefined && nps === undefined) nps = npsChoice;
    }

  const vars = isObj(response.custom_variables) ? response.custom_variables : {};
  const contact = isObj(response.metadata) && isObj(response.metadata.contact) ? response.metadata.contact : {};
  const contactValue = (k: string) => (isObj(contact[k]) ? r.optStr(contact[k].value) : undefined);
  return trackMessage({
    ...message,
    userId: r.optId(vars.user_id),
    properties: {
      ...message.properties,
      survey_title: survey.title,
      nps_score: nps,
      nps_category: nps === undefined ? undefined : npsCategory(nps),
      answers,
    },
    traits: {
      ...message.traits,
      email: r.optStr(vars.email) ?? r.optStr(response.email_address) ?? contactValue('email'),
      phone: r.optStr(vars.phone) ?? contactValue('phone_number'),
      first_name: r.optStr(response.first_name) ?? contactValue('first_name'),
      last_name: r.optStr(response.last_name) ?? contactValue('last_name'),
      member_id: r.optId(vars.member_id),
    },
  });
}

/** The answer as people read it: open text, the chosen choice's text, row → choice for matrices. */
function answerValue(given: Obj[], def: QuestionDef | undefined): unknown {
  const text = (a: Obj) => r.optStr(a.text) ?? def?.choices.get(r.optId(a.choice_id) ?? '') ?? r.optId(a.choice_id);
  if (given.length === 0) return undefined;
  if (def && def.rows.size > 1 && given.some((a) => a.row_id !== undefined)) {
    const byRow: Obj = {};
    for (const a of given) byRow[def.rows.get(r.optId(a.row_id) ?? '') ?? r.optId(a.row_id) ?? 'other'] = text(a);
    return byRow;
  }
  const values = given.map(text).filter((v) => v !== undefined);
  return values.length <= 1 ? values[0] : values;
}

async function surveyIndex(api: VendorApiClient, surveyId: string): Promise<SurveyIndex> {
  const key = `${api.baseUrl}|${surveyId}`;
  const cached = surveyCache.get(key);
  if (cached && Date.now() - cached.at < SURVEY_CACHE_MS) return cached.survey;
  const details = r.obj(await api.getJson(`/v3/surveys/${enc(surveyId)}/details`), 'survey details');
  const questions = new Map<string, QuestionDef>();
  for (const page of arr(details.pages))
    for (const q of arr(isObj(page) ? page.questions : undefined)) {
      if (!isObj(q) || !r.optId(q.id)) continue;
      const answers = isObj(q.answers) ? q.answers : {};
      const choices = arr(answers.choices).filter(isObj);
      questions.set(r.optId(q.id)!, {
        rows: idText(answers.rows),
        choices: idText([...choices, ...(isObj(answers.other) ? [answers.other] : [])]),
        nps: npsScale(q, choices),
      });
    }
  const survey = { title: r.optStr(details.title), questions };
  surveyCache.set(key, { at: Date.now(), survey });
  return survey;
}

function npsScale(q: Obj, choices: Obj[]): Map<string, number> | undefined {
  const marked = q.family === 'nps' || (isObj(q.display_options) && q.display_options.display_type === 'nps');
  const scaleLike = (q.family === 'matrix' && q.subtype === 'rating') || q.family === 'single_choice';
  if ((!marked && !scaleLike) || choices.length !== 11) return undefined;
  const fromText = choices.map((c) => /^\s*(\d{1,2})(?!\d)/.exec(String(c.text ?? ''))?.[1]);
  const values = fromText.every((v) => v !== undefined) ? fromText.map(Number) : choices.map((c) => Number(c.weight));
  const isScale = [...values].sort((a, b) => a - b).every((v, i) => v === i);
  if (!isScale) return undefined;
  return new Map(choices.map((c, i) => [r.optId(c.id) ?? '', values[i]]));
}

function idText(list: unknown): Map<string, string> {
  return new Map(
    arr(list)
      .filter(isObj)
      .map((x) => [r.optId(x.id) ?? '', r.optStr(x.text) ?? ''] as [string, string])
      .filter(([id]) => id !== ''),
  );
}

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const enc = encodeURIComponent;

/** For tests: forget cached survey structures. */
export function clearSurveyCache(): void {
  surveyCache.clear();
}
