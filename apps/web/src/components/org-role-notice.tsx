import type { ReactNode } from 'react';

/** Why controls are missing or disabled: said once, at the top, instead of failing on click. */
export function RoleNotice({ role, children }: { role: string; children: ReactNode }) {
  return (
    <p className="notice role-notice" data-testid="role-notice">
      You are {role === 'admin' || role === 'owner' ? 'an' : 'a'} {role}: {children}
    </p>
  );
}
