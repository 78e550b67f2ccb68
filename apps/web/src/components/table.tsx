import type { ReactNode, TableHTMLAttributes } from 'react';

/**
 * A data table. On narrow screens each row becomes a block and each cell shows its column name
 * first (from `data-label` on the <td>), so the page never scrolls sideways. Wider tables than the
 * screen scroll inside their own region, which is focusable for keyboard users.
 */
export function Table({ label, children, className, ...rest }: { label: string; children: ReactNode } & TableHTMLAttributes<HTMLTableElement>) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table {...rest} className={`table${className ? ` ${className}` : ''}`}>
        {children}
      </table>
    </div>
  );
}
