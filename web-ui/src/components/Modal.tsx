/**
 * A modal dialog on the browser's own <dialog> (showModal): the rest of the page is inert
 * and hidden from screen readers, Escape closes it, Tab and Shift-Tab stay inside it, and
 * when it closes the focus goes back to what had it before (the button that opened it).
 */
import { type ReactNode, useEffect, useRef } from "react";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

export function Modal({
  labelledBy,
  onClose,
  children,
}: {
  /** Id of the element naming the dialog (its heading). */
  labelledBy: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!element.open) element.showModal();
    // Escape: the browser would close the dialog itself; let the app decide (it unmounts it).
    const onCancel = (event: Event) => {
      event.preventDefault();
      onCloseRef.current();
    };
    element.addEventListener("cancel", onCancel);
    return () => {
      element.removeEventListener("cancel", onCancel);
      if (element.open) element.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  // Keeps Tab inside the dialog (the browser would move on to its own toolbar).
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key !== "Tab" || !dialog.current) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (element) => element.offsetParent !== null,
    );
    const first = focusable[0];
    const last = focusable.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog ref={dialog} className="modal" aria-labelledby={labelledBy} onKeyDown={onKeyDown}>
      {children}
    </dialog>
  );
}
