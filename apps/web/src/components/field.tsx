import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";

// Labelled form controls with an inline error tied by aria-describedby.
type Common = { label: ReactNode; error?: string; hint?: ReactNode; className?: string; highlight?: boolean };

function useFieldIds(error?: string, hint?: ReactNode) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return { id, describedBy };
}

function FieldFrame(props: Common & { id: string; children: ReactNode }) {
  const { label, error, hint, className, highlight, id, children } = props;
  const classes = ["field", className, error ? "field-invalid" : null, highlight ? "field-changed" : null];
  return (
    <div className={classes.filter(Boolean).join(" ")}>
      <label htmlFor={id}>
        {label}
        {highlight && <span className="changed-tag">Changed since approval</span>}
      </label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function TextField(props: Common & InputHTMLAttributes<HTMLInputElement>) {
  const { label, error, hint, className, highlight, ...input } = props;
  const { id, describedBy } = useFieldIds(error, hint);
  return (
    <FieldFrame {...{ label, error, hint, className, highlight, id }}>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
    </FieldFrame>
  );
}

export function SelectField(props: Common & SelectHTMLAttributes<HTMLSelectElement>) {
  const { label, error, hint, className, highlight, children, ...select } = props;
  const { id, describedBy } = useFieldIds(error, hint);
  return (
    <FieldFrame {...{ label, error, hint, className, highlight, id }}>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...select}>
        {children}
      </select>
    </FieldFrame>
  );
}

export function TextAreaField(props: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { label, error, hint, className, highlight, ...area } = props;
  const { id, describedBy } = useFieldIds(error, hint);
  return (
    <FieldFrame {...{ label, error, hint, className, highlight, id }}>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...area} />
    </FieldFrame>
  );
}
