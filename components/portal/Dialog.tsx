"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A modal dialog on the native <dialog> element: focus is trapped and Escape closes it.
 * Nothing is rendered while closed (long lists carry many closed dialogs), so each opening
 * also starts with a fresh form.
 */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  if (!open) return null;
  return (
    <OpenDialog onClose={onClose} title={title}>
      {children}
    </OpenDialog>
  );
}

/** The first field of a form step, or failing that its first button. */
const FIRST_FIELD = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])';

function OpenDialog({ onClose, title, children }: { onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  // A dialog of several steps names each by its title ("Create contract", then "New client"): on
  // each new step the focus goes to its first field instead of falling to the page. The first
  // step's focus is showModal's.
  const shownStep = useRef(title);
  useEffect(() => {
    if (shownStep.current === title) return;
    shownStep.current = title;
    const dialog = ref.current;
    const first = dialog?.querySelector<HTMLElement>(FIRST_FIELD) ?? dialog?.querySelector<HTMLElement>("button:not([disabled])");
    first?.focus();
  }, [title]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="m-auto w-full max-w-lg rounded-lg bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/40">
      <div className="flex flex-col gap-4 p-6">
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        {children}
      </div>
    </dialog>
  );
}
