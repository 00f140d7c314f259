/** What the Try it route answers for a request that reached the gateway. */
export interface TryItResult {
  status: number;
  statusText: string;
  url: string;
  headers: [string, string][];
  body: string;
  /** The body was cut at TRY_IT_BODY_LIMIT bytes. */
  truncated: boolean;
  durationMs: number;
}

/** Try it shows at most this many bytes of a response body. */
export const TRY_IT_BODY_LIMIT = 100_000;
