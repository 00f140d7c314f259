/**
 * The counter authority of a gateway cluster, run as a worker thread of the primary process: it
 * owns the rate-limit and quota counts of every gateway worker, so limits stay exact across them.
 * A thread of its own, so that the primary's main thread (rendering the portal under `npm start`)
 * never holds up a count. Workers reach it over a Unix domain socket (see counter-service.ts):
 *
 *   request, one line:  <contract id> TAB <epoch ms> TAB <the plan's policies as JSON>
 *   answer, one line:   the counts after this request, comma-separated (empty: the request was malformed)
 *
 * Answers come in the order of the requests, on each connection.
 */
import { createServer, type Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import type { Policy } from "@/db/schema";
import { LocalCounters } from "./counters";
import { compilePlanPolicies, type PlanPolicies } from "./policies";

const PERIODS: ReadonlySet<string> = new Set(["second", "minute", "hour", "day", "month"]);
const MAX_PLANS = 10_000;

const counters = new LocalCounters();
// One PlanPolicies per set of policies: LocalCounters tells a plan change by the plan's identity.
const plans = new Map<string, PlanPolicies>();

function planOf(policiesJson: string): PlanPolicies | undefined {
  let plan = plans.get(policiesJson);
  if (plan) return plan;
  const policies = JSON.parse(policiesJson) as Policy[];
  if (!Array.isArray(policies) || policies.length === 0) return undefined;
  for (const p of policies) {
    if ((p?.type !== "rate-limit" && p?.type !== "quota") || !PERIODS.has(p.period) || !Number.isInteger(p.limit) || p.limit < 0) return undefined;
  }
  if (plans.size >= MAX_PLANS) plans.clear();
  plan = compilePlanPolicies("", policies);
  plans.set(policiesJson, plan);
  return plan;
}

/** The answer line to one request line. */
function answer(line: string): string {
  const [contractId, now, policiesJson] = line.split("\t");
  const at = Number(now);
  if (!contractId || policiesJson === undefined || !Number.isFinite(at)) return "";
  try {
    const plan = planOf(policiesJson);
    return plan ? counters.count(contractId, plan, at).join(",") : "";
  } catch {
    return "";
  }
}

function serve(socket: Socket): void {
  socket.setEncoding("utf8");
  let buffered = "";
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    let answers = "";
    let start = 0;
    for (let end = buffered.indexOf("\n"); end !== -1; end = buffered.indexOf("\n", start)) {
      answers += `${answer(buffered.slice(start, end))}\n`;
      start = end + 1;
    }
    buffered = buffered.slice(start);
    // A line that never ends is not a request.
    if (buffered.length > 64 * 1024) socket.destroy();
    else if (answers) socket.write(answers);
  });
  socket.on("error", () => socket.destroy());
}

const { socketPath } = workerData as { socketPath: string };
const server = createServer(serve);
server.on("error", (error) => parentPort?.postMessage({ failed: error.message }));
server.listen(socketPath, () => parentPort?.postMessage({ listening: socketPath }));
