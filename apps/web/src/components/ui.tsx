import type { FormEvent, ReactNode } from 'react';
import { navigate } from '../lib/router.ts';

export function Link({ to, children }: { to: string; children: ReactNode }) {
  return (
    <a
      href={to}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Form({ onSubmit, children, busy }: { onSubmit: () => void | Promise<void>; children: ReactNode; busy?: boolean }) {
  return (
    <form
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (!busy) void onSubmit();
      }}
      aria-busy={busy}
    >
      {children}
    </form>
  );
}

export function Field(props: { label: string; name: string; type?: string; value: string; onChange: (v: string) => void; required?: boolean; minLength?: number; autoComplete?: string }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        minLength={props.minLength}
        autoComplete={props.autoComplete}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

export function ErrorText({ error }: { error: string | null }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}
