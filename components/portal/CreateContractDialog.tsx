"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { createContractAction } from "@/app/(portal)/apis/[org]/[api]/actions";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import type { ContractCandidate } from "@/lib/domain/clients";
import { ActionMessage } from "./ActionMessage";
import { OPEN_CREATE_CONTRACT } from "./create-contract-link";
import { Dialog } from "./Dialog";
import { type ClientOrganization, NewClientForm } from "./NewClientForm";
import { TermsOfUse } from "./TermsOfUse";

export interface PlanChoice {
  planVersionId: string;
  label: string;
  /** "Gold 1.0", to name its terms. */
  name?: string;
  /** Contracts on it end this many days after they start (a trial). */
  durationDays?: number | null;
  /** Its terms of use, rendered safely on the server; accepting them is required. */
  termsHtml?: string | null;
}

type Result = Awaited<ReturnType<typeof createContractAction>>;

/** Where the outcome waits while the page moves to its address without the opening query. */
const SAVED_OUTCOME = "portico-create-contract-outcome";

function saveOutcome(result: Result) {
  try {
    sessionStorage.setItem(SAVED_OUTCOME, JSON.stringify(result));
  } catch {
    // Storage may be off: the page then shows the new contract without the sentence.
  }
}

function readSavedOutcome(): Result | null {
  if (typeof window === "undefined") return null;
  try {
    const saved = sessionStorage.getItem(SAVED_OUTCOME);
    return saved ? (JSON.parse(saved) as Result) : null;
  } catch {
    return null;
  }
}

const LABELS = { clientVersionId: "Client", planVersionId: "Plan", apiVersionId: "API version", acceptTerms: "Terms of use" };

function candidateLabel(c: ContractCandidate): string {
  const name = `${c.clientName} ${c.version}${c.orgName ? ` (${c.orgName})` : ""}`;
  return c.disabledReason ? `${name} — ${c.disabledReason}` : name;
}

/**
 * The `Create contract` button of a private API's page and its form: a client version the user may
 * edit and one of the offered plans. The outcome ("Contract created", "Awaiting approval" or the
 * rule that refused it) is said in a sentence.
 */
export function CreateContractDialog({
  apiVersionId,
  apiLabel,
  plans,
  candidates,
  organizations,
}: {
  apiVersionId: string;
  apiLabel: string;
  plans: PlanChoice[];
  candidates: ContractCandidate[];
  organizations: ClientOrganization[];
}) {
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const openedByLink = searchParams.get(OPEN_CREATE_CONTRACT.name) === OPEN_CREATE_CONTRACT.value;
  const [open, setOpenState] = useState(openedByLink);
  /** This page's address without the query that opened the form: a reload does not open it again. */
  const addressWithoutOpening = () => {
    const rest = new URLSearchParams(searchParams);
    rest.delete(OPEN_CREATE_CONTRACT.name);
    return rest.size > 0 ? `${pathname}?${rest}` : pathname;
  };
  const setOpen = (shown: boolean) => {
    setOpenState(shown);
    if (!shown && openedByLink) window.history.replaceState(null, "", addressWithoutOpening());
  };
  const [view, setView] = useState<"contract" | "new-client">("contract");
  const [clientVersionId, setClientVersionId] = useState("");
  const [planVersionId, setPlanVersionId] = useState(plans[0]?.planVersionId ?? "");
  const plan = plans.find((p) => p.planVersionId === planVersionId) ?? plans[0];
  // A client made in this form, shown at once; the page's list of candidates catches up on its own.
  const [justCreated, setJustCreated] = useState<ContractCandidate | null>(null);
  // The outcome survives the page's move to its address without the opening query, which shows it anew.
  const [outcome, setOutcome] = useState<Result | null>(readSavedOutcome);
  useEffect(() => {
    try {
      sessionStorage.removeItem(SAVED_OUTCOME);
    } catch {
      // Nothing was saved where storage is off.
    }
  }, []);
  const [state, action, pending] = useActionState(async (previous: Result | null, formData: FormData) => {
    const result = await createContractAction(previous, formData);
    if (result.ok) {
      setOutcome(result);
      setOpenState(false);
      // The page's panels (your contracts, the key in the curl example) show the new contract.
      if (openedByLink) {
        saveOutcome(result);
        router.replace(addressWithoutOpening(), { scroll: false });
      } else {
        router.refresh();
      }
    }
    return result;
  }, null);

  const options = justCreated && !candidates.some((c) => c.clientVersionId === justCreated.clientVersionId) ? [justCreated, ...candidates] : candidates;
  const firstAvailable = options.find((c) => !c.disabledReason)?.clientVersionId ?? "";
  const chosen = options.some((c) => c.clientVersionId === clientVersionId) ? clientVersionId : firstAvailable;

  return (
    <div className="flex flex-col items-start gap-3">
      <Button
        type="button"
        onClick={() => {
          setView("contract");
          setOutcome(null);
          setOpen(true);
        }}
      >
        Create contract
      </Button>
      {outcome?.ok && (
        <Alert kind="success">
          <strong>{outcome.message}</strong>
          {outcome.message === "Awaiting approval"
            ? " — the provider has been asked to approve this plan. You will get a notification with the answer."
            : " — your client's API key now works with this API."}{" "}
          <Link href="/my-clients" className="font-medium underline">
            See it in My Clients
          </Link>
        </Alert>
      )}
      <Dialog open={open} onClose={() => setOpen(false)} title={view === "contract" ? "Create contract" : "New client"}>
        {view === "new-client" ? (
          <NewClientForm
            organizations={organizations}
            onCancel={() => setView("contract")}
            onCreated={(created) => {
              setJustCreated({ clientVersionId: created.clientVersionId, clientName: created.name, version: created.version, orgName: "", disabledReason: null });
              setClientVersionId(created.clientVersionId);
              setView("contract");
            }}
          />
        ) : (
          <form action={action} onSubmit={submitKeepingValues(action)} className="flex flex-col gap-4">
            <p className="text-sm text-slate-600">Sign a contract so that a client&apos;s API key can call {apiLabel}.</p>
            <ActionMessage result={state && !state.ok ? state : null} labels={LABELS} success={false} />
            <input type="hidden" name="apiVersionId" value={apiVersionId} />
            <div className="flex flex-col gap-1">
              <label htmlFor="contract-client" className="text-sm font-medium text-slate-700">
                Client
              </label>
              <div className="flex gap-2">
                <select
                  id="contract-client"
                  name="clientVersionId"
                  value={chosen}
                  onChange={(event) => setClientVersionId(event.target.value)}
                  className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                >
                  {!firstAvailable && <option value="">No client can sign — create one</option>}
                  {options.map((c) => (
                    <option key={c.clientVersionId} value={c.clientVersionId} disabled={Boolean(c.disabledReason)}>
                      {candidateLabel(c)}
                    </option>
                  ))}
                </select>
                <Button type="button" variant="secondary" onClick={() => setView("new-client")}>
                  New client
                </Button>
              </div>
              {!chosen && (
                <p id="contract-no-client" className="text-xs text-slate-600">
                  None of your clients can sign it yet: New client makes one here.
                </p>
              )}
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor="contract-plan" className="text-sm font-medium text-slate-700">
                Plan
              </label>
              <select
                id="contract-plan"
                name="planVersionId"
                value={plan?.planVersionId}
                onChange={(event) => setPlanVersionId(event.target.value)}
                aria-describedby={plan?.durationDays ? "contract-plan-duration" : undefined}
                className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
              >
                {plans.map((p) => (
                  <option key={p.planVersionId} value={p.planVersionId}>
                    {p.label}
                  </option>
                ))}
              </select>
              {plan?.durationDays && (
                <p id="contract-plan-duration" className="text-xs text-slate-600">
                  {plan.durationDays}-day trial: the contract ends {plan.durationDays} days after it starts.
                </p>
              )}
            </div>
            {plan?.termsHtml && <TermsOfUse key={plan.planVersionId} html={plan.termsHtml} planLabel={plan.name ?? plan.label} error={state && !state.ok ? state.fields?.acceptTerms : undefined} />}
            <div className="flex justify-end gap-2">
              <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              {/* Nothing to sign with until a client exists; the hint under Client says how to make one. */}
              <Button type="submit" disabled={pending || !chosen} aria-describedby={chosen ? undefined : "contract-no-client"}>
                Create contract
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </div>
  );
}
