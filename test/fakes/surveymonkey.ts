// A fake SurveyMonkey API v3 (127.0.0.1): answers GET /v3/surveys/{id}/details and
// GET /v3/surveys/{id}/responses/{id}/details with the fixtures of the documented formats, and
// refuses what the real API refuses: a missing or wrong bearer token (401), other methods (405),
// unknown surveys or responses (404).
import { readFileSync } from 'node:fs';
import { startFake, type FakeServer } from './fake-server.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8')) as { id: string; survey_id?: string };

export function startFakeSurveyMonkey(accessToken: string): Promise<FakeServer> {
  const survey = fixture('surveymonkey-survey-details.json');
  const response = fixture('surveymonkey-response-details.json');
  const error = (status: number, id: string, message: string) => ({ status, body: { error: { id, name: 'Error', docs: 'https://developer.surveymonkey.com/api/v3/#error-codes', message, http_status_code: status } } });
  return startFake((req) => {
    if (req.headers.authorization !== `Bearer ${accessToken}`) return error(401, '1011', 'The authorization token provided was invalid.');
    if (req.method !== 'GET') return error(405, '1050', 'Method not allowed.');
    const path = req.path.split('?')[0];
    let m = /^\/v3\/surveys\/(\d+)\/details$/.exec(path);
    if (m) return m[1] === survey.id ? { status: 200, body: survey } : error(404, '1020', `Resource ${m[1]} not found.`);
    m = /^\/v3\/surveys\/(\d+)\/responses\/(\d+)\/details$/.exec(path);
    if (m) return m[1] === response.survey_id && m[2] === response.id ? { status: 200, body: response } : error(404, '1020', `Resource ${m[2]} not found.`);
    return error(404, '1020', `No route for ${path}`);
  });
}
