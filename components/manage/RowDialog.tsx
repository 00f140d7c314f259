"use client";

import { createContext, useCallback, useContext, useId, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmForm, type ConfirmActionProps } from "./ActionButton";

type Variant = "primary" | "secondary" | "danger" | "ghost";

/** What a row's button shows in the table's dialog. */
export interface RowDialogContent {
  /** Heading of the dialog, its accessible name. */
  title: string;
  /** The dialog's form; `close` closes the dialog, for a form that succeeded. */
  body: (close: () => void) => ReactNode;
}

const OpenRowDialog = createContext<((content: RowDialogContent) => void) | null>(null);

/**
 * One modal dialog for all the rows of a table. Each row keeps its buttons, but the form a button
 * opens is rendered only then, in this dialog: a page of rows no longer carries a hidden dialog
 * and form per button. Native <dialog>: focus is trapped, Escape closes it, and closing gives the
 * focus back to the row's button.
 */
export function RowDialogs({ children }: { children: ReactNode }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // A new object at each opening, so the form inside starts afresh even for the same row.
  const [content, setContent] = useState<RowDialogContent | null>(null);
  const close = useCallback(() => dialogRef.current?.close(), []);

  // Shown once the form is rendered, so that its first field can take the focus (not the close button).
  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (!content || !dialog || dialog.open) return;
    dialog.showModal();
    dialog.querySelector<HTMLElement>("form input:not([type=hidden]), form textarea, form select")?.focus();
  }, [content]);

  return (
    <OpenRowDialog.Provider value={setContent}>
      {children}
      <dialog
        ref={dialogRef}
        aria-labelledby={titleId}
        // Closed by Escape, the close button or a form that succeeded: the form goes with it.
        onClose={() => setContent(null)}
        className="m-auto w-full max-w-md rounded-lg bg-white p-0 shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/40"
      >
        {content && (
          <div className="flex flex-col gap-4 p-5">
            <div className="flex items-start justify-between gap-4">
              <h2 id={titleId} className="text-lg font-semibold">
                {content.title}
              </h2>
              <button type="button" onClick={close} className="rounded px-2 text-slate-500 hover:bg-slate-100" aria-label="Close">
                ×
              </button>
            </div>
            {content.body(close)}
          </div>
        )}
      </dialog>
    </OpenRowDialog.Provider>
  );
}

/**
 * A row's button that opens the table's dialog (see RowDialogs) with what `dialog` returns; the
 * content is made on the click, from the row as it is then.
 */
export function RowDialogButton({
  label,
  buttonLabel,
  variant = "secondary",
  dialog,
}: {
  /** Text of the button. */
  label: string;
  /** Accessible name of the button, naming its row ("Suspend contract of Acme App 1.0"). */
  buttonLabel?: string;
  variant?: Variant;
  dialog: () => RowDialogContent;
}) {
  const open = useContext(OpenRowDialog);
  if (!open) throw new Error("RowDialogButton must be inside RowDialogs");
  return (
    <Button type="button" variant={variant} aria-label={buttonLabel} aria-haspopup="dialog" onClick={() => open(dialog())}>
      {label}
    </Button>
  );
}

/**
 * ConfirmActionButton for a row: the table's dialog explains the consequence and, with `reason`,
 * asks for a reason (required), then runs the action with the row's `fields`.
 */
export function ConfirmRowButton({
  action,
  fields,
  label,
  title,
  submitLabel = label,
  variant = "danger",
  buttonLabel,
  reason,
  children,
  onSuccess,
}: ConfirmActionProps) {
  return (
    <RowDialogButton
      label={label}
      buttonLabel={buttonLabel}
      variant={variant === "danger" ? "secondary" : variant}
      dialog={() => ({
        title,
        body: (close) => (
          <ConfirmForm {...{ action, fields, submitLabel, variant, reason, onSuccess }} close={close}>
            {children}
          </ConfirmForm>
        ),
      })}
    />
  );
}
