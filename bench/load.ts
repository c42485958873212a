// What the side-by-side benchmarks share: one autocannon measurement of a
// contender, and the median of rounds.
import autocannon from 'autocannon';

export const CHECK_3E_PATH = '/identity/phone/check-3e';

/** What a benchmark starts and loads: a script of its own, or the sample app. */
export interface LoadTarget {
  headers: Record<string, string>;
  nextBody: () => string;
}

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `connections` clients posting verifications to `url` for `duration` seconds. */
export async function measure(
  url: string,
  target: LoadTarget,
  connections: number,
  duration: number,
): Promise<Sample> {
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: CHECK_3E_PATH,
        headers: target.headers,
        setupRequest: (request) => ({ ...request, body: target.nextBody() }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export const median = (values: number[]): number => {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
