import { useId, type InputHTMLAttributes, type SelectHTMLAttributes } from "react";

// A compact label + control pair for toolbars. The label points at the control
// with htmlFor, so the control's accessible name is exactly the label text.
export function InlineSelect({ label, ...select }: { label: string } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <span className="inline-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select} />
    </span>
  );
}

export function InlineInput({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <span className="inline-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} />
    </span>
  );
}
