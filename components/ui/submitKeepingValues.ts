import { type FormEvent, startTransition } from "react";

/**
 * The onSubmit of a form whose action is a function. React resets a form's uncontrolled fields
 * when its action returns, so a failed sign-in would empty the email field; running the action
 * from here instead keeps what was typed. The form's action prop still serves submissions made
 * before the page's JavaScript has loaded.
 */
export function submitKeepingValues(action: (formData: FormData) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formData = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    startTransition(() => action(formData));
  };
}
