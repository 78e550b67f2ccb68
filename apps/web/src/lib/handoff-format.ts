/** Words for what Flow Relay records, shared by the handoff pages and the project's context feed. */

const SOURCE_LABELS: Record<string, string> = { github: 'GitHub', slack: 'Slack', linear: 'Linear', discord: 'Discord', baton: 'Baton runs' };
export const sourceLabel = (source: string) => SOURCE_LABELS[source] ?? source.charAt(0).toUpperCase() + source.slice(1);

/** "deploy_started" → "Deploy started". */
export const eventTypeLabel = (type: string) => {
  const words = type.replace(/[_.-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : type;
};

export const HANDOFF_SECTIONS = [
  ['key_changes', 'Key changes'],
  ['decisions', 'Decisions'],
  ['open_questions', 'Open questions'],
  ['next_steps', 'Next steps'],
] as const;
export type HandoffSectionKey = (typeof HANDOFF_SECTIONS)[number][0];
