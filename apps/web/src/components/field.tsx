import { useId, type FormEvent, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface FieldFrame {
  label: ReactNode;
  /** Shown under the label's control; read out with it (aria-describedby). */
  hint?: ReactNode;
  /** Replaces the hint's place beside the control and marks the control invalid. */
  error?: string | null;
  className?: string;
}

/** Ids for a control and its hint/error, wired through aria-describedby. */
function useFieldIds(hint: ReactNode, error: string | null | undefined, id?: string) {
  const auto = useId();
  const controlId = id ?? auto;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return { controlId, hintId, errorId, describedBy };
}

function Frame({ label, hint, error, className, ids, children }: FieldFrame & { ids: ReturnType<typeof useFieldIds>; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={ids.controlId}>{label}</label>
      {children}
      {hint && (
        <p id={ids.hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={ids.errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & { value: string; onChange: (value: string) => void };

/** Label, input, and its hint or error beside it. */
export function Field({ label, hint, error, className, id, type = 'text', onChange, ...input }: FieldFrame & InputProps) {
  const ids = useFieldIds(hint, error, id);
  return (
    <Frame label={label} hint={hint} error={error} className={className} ids={ids}>
      <input {...input} id={ids.controlId} type={type} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} onChange={(e) => onChange(e.target.value)} />
    </Frame>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value'> & { value: string; onChange: (value: string) => void; children: ReactNode };

export function SelectField({ label, hint, error, className, id, onChange, children, ...select }: FieldFrame & SelectProps) {
  const ids = useFieldIds(hint, error, id);
  return (
    <Frame label={label} hint={hint} error={error} className={className} ids={ids}>
      <select {...select} id={ids.controlId} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </Frame>
  );
}

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value'> & { value: string; onChange: (value: string) => void };

export function TextAreaField({ label, hint, error, className, id, onChange, ...textarea }: FieldFrame & TextAreaProps) {
  const ids = useFieldIds(hint, error, id);
  return (
    <Frame label={label} hint={hint} error={error} className={className} ids={ids}>
      <textarea {...textarea} id={ids.controlId} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} onChange={(e) => onChange(e.target.value)} />
    </Frame>
  );
}

/** A form whose submit never reloads the page and is ignored while busy. */
export function Form({ onSubmit, children, busy, className }: { onSubmit: () => void | Promise<unknown>; children: ReactNode; busy?: boolean; className?: string }) {
  return (
    <form
      className={className}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (!busy) void onSubmit();
      }}
      aria-busy={busy || undefined}
    >
      {children}
    </form>
  );
}

/** A form's or an action's error message, announced as it appears. */
export function FormError({ error }: { error: string | null | undefined }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}
