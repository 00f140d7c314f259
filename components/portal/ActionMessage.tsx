import { Alert } from "@/components/ui/Alert";
import type { ActionResult } from "@/lib/auth/action";

/**
 * The outcome of a server action as a sentence: the domain's message, with a field's
 * internal name ("clientVersionId: …") replaced by the label people see ("Client: …").
 */
export function actionError(result: ActionResult<unknown> | null, labels: Record<string, string> = {}): string | null {
  if (!result || result.ok) return null;
  const match = /^([A-Za-z.]+): (.*)$/.exec(result.error);
  if (match && labels[match[1]]) return `${labels[match[1]]}: ${match[2]}`;
  return result.error;
}

export function ActionMessage({ result, labels, success = true }: { result: ActionResult<unknown> | null; labels?: Record<string, string>; success?: boolean }) {
  if (!result) return null;
  if (!result.ok) return <Alert>{actionError(result, labels)}</Alert>;
  return success && result.message ? <Alert kind="success">{result.message}</Alert> : null;
}
