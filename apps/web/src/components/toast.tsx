import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

export type ToastTone = 'info' | 'success' | 'error';
interface ToastItem {
  id: number;
  message: ReactNode;
  tone: ToastTone;
}

const DISMISS_MS = 6000;
type Notify = (message: ReactNode, tone?: ToastTone) => void;
const ToastContext = createContext<Notify | null>(null);

/**
 * Short-lived notices ("Key revoked"), read out by screen readers through live regions: errors
 * assertively, the rest politely. Not for errors the user must act on: those belong next to what
 * failed (FormError, ErrorState).
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(0);
  const dismiss = useCallback((id: number) => setItems((list) => list.filter((t) => t.id !== id)), []);
  const notify = useCallback<Notify>(
    (message, tone = 'info') => {
      const id = ++next.current;
      setItems((list) => [...list.slice(-3), { id, message, tone }]);
      setTimeout(() => dismiss(id), DISMISS_MS);
    },
    [dismiss],
  );
  const render = (tone: (t: ToastItem) => boolean) =>
    items.filter(tone).map((t) => (
      <div key={t.id} className={`toast toast-${t.tone}`}>
        <span>{t.message}</span>
        <button type="button" className="btn btn-ghost toast-close" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
          ×
        </button>
      </div>
    ));
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div className="toasts">
        <div aria-live="polite" data-testid="toasts">
          {render((t) => t.tone !== 'error')}
        </div>
        <div aria-live="assertive">{render((t) => t.tone === 'error')}</div>
      </div>
    </ToastContext.Provider>
  );
}

/** `const toast = useToast(); toast('Project created', 'success');` */
export function useToast(): Notify {
  const notify = useContext(ToastContext);
  if (!notify) throw new Error('useToast outside ToastProvider');
  return useMemo(() => notify, [notify]);
}
