import type { ContractQuotas } from "@/lib/domain/usage";
import { formatCount, formatReset } from "./format";
import { UsageSection } from "./UsageReportView";

const PERIOD_WORD = { day: "today", month: "this month" } as const;
const RATE_PERIOD = { second: "second", minute: "minute", hour: "hour" } as const;

/** "612 of 1,000 requests left today, resets 00:00 UTC": a line per quota of the contract's plan, then its rate limits. */
export function QuotaPanel({ quotas, now }: { quotas: ContractQuotas; now: Date }) {
  return (
    <UsageSection title="Now" id="usage-now">
      {quotas.policies.length === 0 ? (
        <p className="text-sm text-slate-700">The plan sets no quota and no rate limit.</p>
      ) : (
        <ul className="flex flex-col gap-4">
          {quotas.policies.map((policy) =>
            policy.type === "quota" ? (
              <li key={policy.index} className="flex flex-col gap-1.5">
                <p className="text-sm text-slate-900">
                  <strong className="font-semibold tabular-nums">{formatCount(policy.remaining)}</strong> of {formatCount(policy.limit)} requests left {PERIOD_WORD[policy.period]}, resets{" "}
                  <time dateTime={policy.resetsAt.toISOString()}>{formatReset(policy.resetsAt, now)}</time>
                </p>
                <div
                  role="meter"
                  aria-label={`Quota used ${PERIOD_WORD[policy.period]}`}
                  aria-valuemin={0}
                  aria-valuemax={policy.limit}
                  aria-valuenow={Math.min(policy.used, policy.limit)}
                  aria-valuetext={`${formatCount(policy.used)} of ${formatCount(policy.limit)} used`}
                  className="h-2 w-full overflow-hidden rounded-full bg-slate-100 ring-1 ring-slate-200"
                >
                  <div
                    className={`h-full ${policy.remaining === 0 ? "bg-red-600" : policy.remaining < policy.limit * 0.1 ? "bg-amber-700" : "bg-brand-600"}`}
                    style={{ width: `${Math.min(100, (policy.used / policy.limit) * 100)}%` }}
                  />
                </div>
                <p className="text-xs text-slate-600">
                  {formatCount(policy.used)} used since the {policy.period === "day" ? "UTC day" : "UTC month"} began; the gateway reports usage every few seconds.
                </p>
              </li>
            ) : (
              <li key={policy.index} className="text-sm text-slate-900">
                Rate limit: at most <strong className="font-semibold tabular-nums">{formatCount(policy.limit)}</strong> requests per {RATE_PERIOD[policy.period]}, counted live by the gateway.
              </li>
            ),
          )}
        </ul>
      )}
    </UsageSection>
  );
}
