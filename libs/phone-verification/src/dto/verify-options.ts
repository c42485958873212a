/** Per-call options of `verify()`. */
export interface VerifyOptions {
  /**
   * Whose per-key budget the call counts against (e.g. a tenant or an API
   * key's id); only its HMAC is stored. Needs `budget.perKey`.
   */
  budgetKey?: string;
  /**
   * Called synchronously right before each upstream request is sent (after
   * the cache, the budget and the pacing; never for a cached or shared
   * answer): e.g. to record "sent, may be billed" before the request leaves.
   * If it throws, nothing is sent and `verify()` rejects with its error.
   */
  onAttempt?: () => void;
  /**
   * Who asked, as the app labels its callers (a tenant, an API key's id:
   * never the key itself), written as given to the usage ledger's rows.
   */
  caller?: string;
  /**
   * Your app's own id of this request (its `x-request-id`, its trace id),
   * kept on the ledger's row: when AceData sent no trace id (a lost
   * connection), it is the id your caller got, and finds the call.
   */
  requestId?: string;
}
