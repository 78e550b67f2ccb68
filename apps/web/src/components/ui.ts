/** The design system: import page building blocks from here. */
export { Button, type ButtonProps, type ButtonVariant } from './button.tsx';
export { Field, SelectField, TextAreaField, Form, FormError } from './field.tsx';
export { Table } from './table.tsx';
export { Dialog } from './dialog.tsx';
export { ToastProvider, useToast, type ToastTone } from './toast.tsx';
export { EmptyState, LoadingState, ErrorState, QueryState } from './states.tsx';
export { RelativeTime, formatRelative } from './relative-time.tsx';
export { Badge, StatusPill, type Tone } from './badge.tsx';
export { Card } from './card.tsx';
export { Page } from './page.tsx';
