"use client";

import { useId, useRef, type ReactNode } from "react";
import { Button } from "@/components/ui/Button";

/**
 * A button that opens a modal dialog (native <dialog>: focus is trapped, Escape closes it).
 * `children` gets a `close` function, for the form inside to close the dialog when it succeeds.
 */
export function DialogButton({
  label,
  title,
  variant = "secondary",
  buttonLabel,
  children,
}: {
  /** Text of the button that opens the dialog. */
  label: string;
  /** Heading of the dialog, its accessible name. */
  title: string;
  variant?: "primary" | "secondary" | "danger" | "ghost";
  /** Accessible name of the opening button when it differs from its text (a row's button, say). */
  buttonLabel?: string;
  children: (close: () => void) => ReactNode;
}) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = () => dialogRef.current?.close();
  // The first field takes the focus, not the close button; closing gives it back to the opening button.
  const open = () => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    dialog.showModal();
    dialog.querySelector<HTMLElement>("form input:not([type=hidden]), form textarea, form select")?.focus();
  };
  return (
    <>
      <Button type="button" variant={variant} aria-label={buttonLabel} aria-haspopup="dialog" onClick={open}>
        {label}
      </Button>
      <dialog
        ref={dialogRef}
        aria-labelledby={titleId}
        className="m-auto w-full max-w-md rounded-lg bg-white p-0 shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/40"
      >
        <div className="flex flex-col gap-4 p-5">
          <div className="flex items-start justify-between gap-4">
            <h2 id={titleId} className="text-lg font-semibold">
              {title}
            </h2>
            <button type="button" onClick={close} className="rounded px-2 text-slate-500 hover:bg-slate-100" aria-label="Close">
              ×
            </button>
          </div>
          {children(close)}
        </div>
      </dialog>
    </>
  );
}
