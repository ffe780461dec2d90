// Reading a vendor's REST API for webhook deliveries that carry ids only (SurveyMonkey). A failed
// call is classified: `transient` (network, timeout, 429, 5xx) is retried later from the durable
// queue; `permanent` (401/403/404, an unusable answer) cannot succeed by retrying and goes to failed
// events.

const TIMEOUT_MS = 10_000;

export class VendorApiError extends Error {
  constructor(
    readonly transient: boolean,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** What a vendor's API mapping needs: authenticated GETs against the configured base URL. */
export interface VendorApiClient {
  baseUrl: string;
  getJson(path: string): Promise<unknown>;
}

export function bearerClient(baseUrl: string, accessToken: string, vendor: string): VendorApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: base,
    async getJson(path) {
      let res: Response;
      try {
        res = await fetch(base + path, {
          headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        throw new VendorApiError(true, `${vendor} API unreachable (GET ${path}): ${(err as Error).message}`);
      }
      const text = await res.text().catch(() => '');
      if (!res.ok) {
        const transient = res.status === 429 || res.status >= 500;
        throw new VendorApiError(transient, `${vendor} API answered ${res.status} to GET ${path}: ${text.slice(0, 300)}`, res.status);
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new VendorApiError(false, `${vendor} API answered GET ${path} with a body that is not JSON`, res.status);
      }
    },
  };
}
