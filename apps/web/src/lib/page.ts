import { useEffect } from 'react';

export const APP_NAME = 'Baton';

/** "Runs · Baton". Pages get it through <Page title>; use this for a title that changes with data. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · ${APP_NAME}` : APP_NAME;
  }, [title]);
}

/**
 * After a client-side navigation, screen reader and keyboard users start from the new page's h1
 * rather than the link they followed. The page may still be rendering: try for a few frames.
 */
export function focusPageHeading(tries = 10) {
  const h1 = document.querySelector<HTMLElement>('main h1');
  if (h1) {
    if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: true });
  } else if (tries > 0) {
    requestAnimationFrame(() => focusPageHeading(tries - 1));
  }
}
