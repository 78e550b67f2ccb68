import { useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';

const THEME_KEY = 'baton.theme';
const media = () => window.matchMedia('(prefers-color-scheme: dark)');

/** An explicit choice, or null to follow the system (index.html applies the same rule before first paint). */
function storedTheme(): Theme | null {
  try {
    const t = localStorage.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : null;
  } catch {
    return null;
  }
}

const resolve = (): Theme => storedTheme() ?? (media().matches ? 'dark' : 'light');
const listeners = new Set<() => void>();

function apply() {
  document.documentElement.dataset.theme = resolve();
  for (const l of listeners) l();
}

/** Follow the system's scheme while the user has not picked one. Called once at start-up. */
export function initTheme() {
  apply();
  media().addEventListener('change', apply);
  // A pick made in another tab applies here too.
  window.addEventListener('storage', (e) => {
    if (e.key === THEME_KEY) apply();
  });
}

export function setTheme(theme: Theme) {
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Not persisted, still applied.
  }
  apply();
}

const current = (): Theme => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useTheme() {
  const theme = useSyncExternalStore(subscribe, current);
  return { theme, toggle: () => setTheme(theme === 'dark' ? 'light' : 'dark') };
}
