import { useSyncExternalStore } from 'react';

const ORG_KEY = 'baton.orgId';

function readStored(): string | null {
  try {
    return localStorage.getItem(ORG_KEY);
  } catch {
    return null;
  }
}

/*
 * The active org is kept per tab, in memory, and stored for the next visit. Requests read the
 * in-memory value: a switch in another tab must not change which org this tab's requests act in
 * while it still shows the previous org's data.
 */
let activeOrgId = readStored();
const listeners = new Set<() => void>();

export const getActiveOrgId = (): string | null => activeOrgId;

export function setActiveOrgId(id: string | null) {
  if (id === activeOrgId) return;
  activeOrgId = id;
  try {
    if (id) localStorage.setItem(ORG_KEY, id);
    else localStorage.removeItem(ORG_KEY);
  } catch {
    // Storage refused (private mode, quota): the choice still holds for this tab.
  }
  for (const l of listeners) l();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const useActiveOrgId = (): string | null => useSyncExternalStore(subscribe, getActiveOrgId);
