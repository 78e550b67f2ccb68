import { describe, expect, it } from 'vitest';
import { draftHandoff, type GeneratorEvent } from '../src/relay/generate-handoff.ts';

const PROJECT = 'Payments';
const START = Date.parse('2026-03-02T09:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let seq = 0;
/** A context event as the generator sees it; neutral unless overridden, so each test says what matters. */
function makeEvent(overrides: Partial<GeneratorEvent> = {}): GeneratorEvent {
  seq += 1;
  return {
    id: `ev_${String(seq).padStart(5, '0')}`,
    source: 'github',
    eventType: 'comment',
    title: 'Looked at the dashboard',
    content: '',
    branch: null,
    author: 'ada',
    userId: 'usr_ada',
    createdAt: new Date(START + seq * MINUTE).toISOString(),
    ...overrides,
  };
}

/** An ISO timestamp `minutes` after the fixed start (2026-03-02T09:00Z). */
const at = (minutes: number) => new Date(START + minutes * MINUTE).toISOString();

/** A deterministic permutation (seeded LCG), so a failing order can be reproduced. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('draftHandoff with no events', () => {
  it('says there is no recorded activity and leaves every list empty', () => {
    expect(draftHandoff(PROJECT, [])).toEqual({
      title: 'Payments handoff: no recorded activity',
      summary: "No context events matched this handoff's sources and filters for Payments, so there is nothing to hand off yet.",
      sources: [],
      keyChanges: [],
      decisions: [],
      openQuestions: [],
      nextSteps: [],
      relatedEventIds: [],
    });
  });
});

describe('identifiers link events across sources', () => {
  it('makes a thread of a ticket seen in a GitHub push and a Linear issue', () => {
    const linear = makeEvent({ source: 'linear', eventType: 'issue_updated', title: 'PAY-12 Refund retries for failed payouts', createdAt: at(10) });
    const lunch = makeEvent({ source: 'slack', eventType: 'message', title: 'Lunch plans for Friday', createdAt: at(20) });
    const push = makeEvent({ source: 'github', eventType: 'push', title: 'Add refund retries', content: 'Refs PAY-12', branch: 'main', createdAt: at(30) });

    const draft = draftHandoff(PROJECT, [linear, lunch, push]);

    expect(draft.title).toBe('Payments handoff: PAY-12');
    expect(draft.summary).toContain('Most active: PAY-12 (2 events across github, linear).');
    expect(draft.relatedEventIds).toEqual(expect.arrayContaining([push.id, linear.id]));
    expect(draft.relatedEventIds).not.toContain(lunch.id);
    // The push's title does not name the ticket, so its key change is labelled with it.
    expect(draft.keyChanges).toEqual(['PAY-12: Add refund retries (github)']);
  });

  it('reads "#341", "PR 341", "PR#341" and ".../pull/341" as the same pull request', () => {
    const merged = makeEvent({ source: 'github', eventType: 'pull_request_merged', title: 'Merge pull request #341 from ada/refunds', createdAt: at(40) });
    const review = makeEvent({ source: 'slack', eventType: 'message', title: 'Review thread', content: 'PR 341 looks good to me', createdAt: at(30) });
    const linked = makeEvent({ source: 'linear', eventType: 'issue_updated', title: 'Refund retries', content: 'Linked https://github.com/acme/pay/pull/341/files', createdAt: at(20) });
    const shorthand = makeEvent({ source: 'discord', eventType: 'message', title: 'Status', content: 'pr#341 is on staging', createdAt: at(10) });

    const draft = draftHandoff(PROJECT, [merged, review, linked, shorthand]);

    expect(draft.title).toBe('Payments handoff: #341');
    expect(draft.summary).toContain('Most active: #341 (4 events across github, slack, linear, discord).');
    expect(draft.relatedEventIds).toEqual(expect.arrayContaining([merged.id, review.id, linked.id]));
    // The merge title already names "#341", so it is not prefixed again.
    expect(draft.keyChanges).toEqual(['Merge pull request #341 from ada/refunds (github)']);
  });

  it.each([
    ['an HTML entity', 'It&#39;s fine to ship'],
    ['a hash glued to a word', 'see issue#12 for context'],
    ['a hash followed by letters', 'see issue#12abc for context'],
    ['a bare hash followed by letters', 'colour #12abc in the header'],
    ['more than six digits', 'reference #1234567 in the ledger'],
    ['an escaped HTML entity', 'It&amp;#39;s fine to ship'],
    ['a colour of zeros', 'colour #000000 in the header'],
    ['a number with a leading zero', 'see #0341 for context'],
    ['a PR number with a leading zero', 'see PR 0341 for context'],
  ])('does not take %s for a pull request', (_what, text) => {
    const events = [
      makeEvent({ source: 'github', title: 'Note one', content: text }),
      makeEvent({ source: 'slack', title: 'Note two', content: text }),
    ];
    const draft = draftHandoff(PROJECT, events);
    expect(draft.title).toBe('Payments handoff, 2026-03-02');
    expect(draft.summary).not.toContain('Most active');
    expect(draft.relatedEventIds).toEqual([]);
  });

  it('needs an upper-case ticket key: "pay-12" links nothing', () => {
    const events = [
      makeEvent({ source: 'github', content: 'working on pay-12 today' }),
      makeEvent({ source: 'linear', content: 'pay-12 is in review' }),
    ];
    expect(draftHandoff(PROJECT, events).title).toBe('Payments handoff, 2026-03-02');
  });

  it.each(['UTF-8', 'SHA-256', 'ISO-8601', 'RFC-9562'])('does not take the standard %s for a ticket', (standard) => {
    const events = [
      makeEvent({ source: 'github', title: 'Note one', content: `Payloads use ${standard} here` }),
      makeEvent({ source: 'slack', title: 'Note two', content: `Payloads use ${standard} here` }),
    ];
    const draft = draftHandoff(PROJECT, events);
    expect(draft.title).toBe('Payments handoff, 2026-03-02');
    expect(draft.summary).not.toContain('Most active');
    expect(draft.relatedEventIds).toEqual([]);
  });

  it('still links a real ticket mentioned beside a standard', () => {
    const events = [
      makeEvent({ source: 'github', title: 'Note one', content: 'PAY-12 signs payloads with SHA-256', createdAt: at(1) }),
      makeEvent({ source: 'slack', title: 'Note two', content: 'PAY-12 needs UTF-8 names', createdAt: at(2) }),
    ];
    const draft = draftHandoff(PROJECT, events);
    expect(draft.title).toBe('Payments handoff: PAY-12');
    expect(draft.summary).toContain('Most active: PAY-12 (2 events across slack, github).');
  });

  it('counts branch names as identifiers, except long-lived ones (main, master, develop, dev, trunk, staging, production)', () => {
    const featurePush = makeEvent({ source: 'github', eventType: 'push', title: 'Add payout export', branch: 'feature/payout-export', createdAt: at(20) });
    const featureCi = makeEvent({ source: 'ci', eventType: 'check_started', title: 'Checks started', branch: 'feature/payout-export', createdAt: at(10) });
    const draft = draftHandoff(PROJECT, [featurePush, featureCi]);
    expect(draft.title).toBe('Payments handoff: feature/payout-export');
    expect(draft.summary).toContain('Most active: feature/payout-export (2 events across github, ci).');
    expect(draft.keyChanges).toEqual(['feature/payout-export: Add payout export (github)']);
    expect(draft.relatedEventIds).toEqual(expect.arrayContaining([featurePush.id, featureCi.id]));

    for (const trunk of ['main', 'master', 'develop', 'dev', 'trunk', 'staging', 'production']) {
      const onTrunk = [
        makeEvent({ source: 'github', eventType: 'comment', branch: trunk, createdAt: at(20) }),
        makeEvent({ source: 'ci', eventType: 'check_started', title: 'Checks started', branch: trunk, createdAt: at(10) }),
      ];
      const trunkDraft = draftHandoff(PROJECT, onTrunk);
      expect(trunkDraft.title).toBe('Payments handoff, 2026-03-02');
      expect(trunkDraft.relatedEventIds).toEqual([]);
    }
  });

  it('ranks threads by sources, then events, then name, and names the top two in the title', () => {
    const events = [
      // PAY-7: two events in two sources.
      makeEvent({ source: 'github', title: 'Looked at PAY-7', createdAt: at(1) }),
      makeEvent({ source: 'linear', title: 'PAY-7 Payout limits', createdAt: at(2) }),
      // #88: three events, one source.
      makeEvent({ source: 'github', title: 'Review on #88', createdAt: at(3) }),
      makeEvent({ source: 'github', title: 'Second look at #88', createdAt: at(4) }),
      makeEvent({ source: 'github', title: 'Comment on #88', createdAt: at(5) }),
      // OPS-2 and OPS-1: two events each, one source; the tie goes alphabetical.
      makeEvent({ source: 'slack', title: 'OPS-2 pager noise', createdAt: at(6) }),
      makeEvent({ source: 'slack', title: 'OPS-2 pager again', createdAt: at(7) }),
      makeEvent({ source: 'slack', title: 'OPS-1 disk alerts', createdAt: at(8) }),
      makeEvent({ source: 'slack', title: 'OPS-1 disk alerts again', createdAt: at(9) }),
      // A single mention is not a thread.
      makeEvent({ source: 'slack', title: 'OPS-3 just once', createdAt: at(10) }),
    ];
    const draft = draftHandoff(PROJECT, events);
    expect(draft.title).toBe('Payments handoff: PAY-7, #88');
    expect(draft.summary).toContain('Most active: PAY-7 (2 events across linear, github); #88 (3 events across github); OPS-1 (2 events across slack).');
    expect(draft.summary).not.toContain('OPS-3');
  });
});

describe('tie order', () => {
  it('breaks thread ties by code-unit order, so upper case sorts before lower case', () => {
    const events = [
      makeEvent({ source: 'github', title: 'Note one', branch: 'feature/refunds', createdAt: at(1) }),
      makeEvent({ source: 'ci', eventType: 'check_started', title: 'Checks started', branch: 'feature/refunds', createdAt: at(2) }),
      makeEvent({ source: 'linear', title: 'PAY-9 Payout limits', createdAt: at(3) }),
      makeEvent({ source: 'slack', title: 'Looked at PAY-9', createdAt: at(4) }),
    ];
    const draft = draftHandoff(PROJECT, events);
    // localeCompare would put "feature/refunds" first; code units put "P" (0x50) before "f" (0x66).
    expect(draft.title).toBe('Payments handoff: PAY-9, feature/refunds');
    expect(draft.summary).toContain('Most active: PAY-9 (2 events across slack, linear); feature/refunds (2 events across ci, github).');
  });

  it('breaks source-count ties by code-unit order', () => {
    const events = [
      makeEvent({ source: 'linear', createdAt: at(1) }),
      makeEvent({ source: 'Zendesk', createdAt: at(2) }),
      makeEvent({ source: 'github', createdAt: at(3) }),
    ];
    expect(draftHandoff(PROJECT, events).sources).toEqual(['Zendesk', 'github', 'linear']);
  });
});

describe('key changes', () => {
  it('come from change event types and change wording, suffixed with their source', () => {
    const events = [
      makeEvent({ source: 'github', eventType: 'push', title: 'Bump the SDK version', createdAt: at(1) }),
      makeEvent({ source: 'github', eventType: 'pull_request_merged', title: 'Refund retries', createdAt: at(2) }),
      makeEvent({ source: 'vercel', eventType: 'deploy', title: 'Production deploy 2026.3', createdAt: at(3) }),
      makeEvent({ source: 'linear', eventType: 'issue_closed', title: 'Payout CSV export', createdAt: at(4) }),
      makeEvent({ source: 'baton', eventType: 'run_completed', title: 'Run completed: Backfill refunds', createdAt: at(5) }),
      makeEvent({ source: 'slack', eventType: 'message', title: 'Fixed the rounding bug in invoices', createdAt: at(6) }),
      makeEvent({ source: 'slack', eventType: 'message', title: 'Morning standup notes', createdAt: at(7) }),
      makeEvent({ source: 'linear', eventType: 'issue_created', title: 'Payout limits for new merchants', createdAt: at(8) }),
    ];
    expect(draftHandoff(PROJECT, events).keyChanges).toEqual([
      'Fixed the rounding bug in invoices (slack)',
      'Run completed: Backfill refunds (baton)',
      'Payout CSV export (linear)',
      'Production deploy 2026.3 (vercel)',
      'Refund retries (github)',
      'Bump the SDK version (github)',
    ]);
  });

  it.each(['deployment_failed', 'issue_abandoned', 'commit_comment', 'issue_unresolved', 'review_requested', 'pushover_alert', 'commitment_updated'])(
    'do not come from a %s event',
    (eventType) => {
      const draft = draftHandoff(PROJECT, [makeEvent({ source: 'github', eventType, title: 'Refund retries for payouts' })]);
      expect(draft.keyChanges).toEqual([]);
      expect(draft.relatedEventIds).toEqual([]);
    },
  );

  it.each(['push', 'pull_request_merged', 'deploy', 'issue_closed', 'run_completed'])('come from a %s event whatever its title says', (eventType) => {
    const event = makeEvent({ source: 'github', eventType, title: 'Refund retries for payouts' });
    const draft = draftHandoff(PROJECT, [event]);
    expect(draft.keyChanges).toEqual(['Refund retries for payouts (github)']);
    expect(draft.relatedEventIds).toEqual([event.id]);
  });

  it('are labelled with their thread only when the title does not already name it', () => {
    const issue = makeEvent({ source: 'linear', eventType: 'issue_updated', title: 'PAY-40 Dispute webhooks', createdAt: at(1) });
    const unnamed = makeEvent({ source: 'github', eventType: 'push', title: 'Handle dispute.closed', content: 'Part of PAY-40', createdAt: at(2) });
    const named = makeEvent({ source: 'github', eventType: 'push', title: 'PAY-40 verify webhook signatures', createdAt: at(3) });
    const loner = makeEvent({ source: 'github', eventType: 'push', title: 'Tidy imports', content: 'PAY-99', createdAt: at(4) });
    expect(draftHandoff(PROJECT, [issue, unnamed, named, loner]).keyChanges).toEqual([
      // PAY-99 appears once, so it is no thread and labels nothing.
      'Tidy imports (github)',
      'PAY-40 verify webhook signatures (github)',
      'PAY-40: Handle dispute.closed (github)',
    ]);
  });

  it('are deduplicated ignoring case and punctuation, but kept apart per source', () => {
    const events = [
      makeEvent({ source: 'github', eventType: 'push', title: 'Deployed v2.3 to production', createdAt: at(1) }),
      makeEvent({ source: 'github', eventType: 'push', title: 'deployed v2.3 to production!', createdAt: at(2) }),
      makeEvent({ source: 'slack', eventType: 'message', title: 'Deployed v2.3 to production', createdAt: at(3) }),
    ];
    const draft = draftHandoff(PROJECT, events);
    expect(draft.keyChanges).toEqual(['Deployed v2.3 to production (slack)', 'deployed v2.3 to production! (github)']);
    expect(draft.relatedEventIds).toEqual([events[2]!.id, events[1]!.id]);
  });

  it('keep non-Latin titles apart, deduplicating them by case like any other', () => {
    const events = [
      makeEvent({ source: 'github', eventType: 'push', title: 'Исправлена ошибка', createdAt: at(1) }),
      makeEvent({ source: 'github', eventType: 'push', title: 'Добавлен экспорт', createdAt: at(2) }),
      makeEvent({ source: 'github', eventType: 'push', title: 'исправлена ошибка!', createdAt: at(3) }),
    ];
    const draft = draftHandoff(PROJECT, events);
    expect(draft.keyChanges).toEqual(['исправлена ошибка! (github)', 'Добавлен экспорт (github)']);
    expect(draft.relatedEventIds).toEqual([events[2]!.id, events[1]!.id]);
    expect(draft.summary).toContain('2 key changes, 0 decisions, 0 open questions and 0 next steps found.');
  });

  it('keep the ten newest', () => {
    const pushes = Array.from({ length: 14 }, (_, i) => makeEvent({ eventType: 'push', title: `Push number ${i + 1}`, createdAt: at(i) }));
    const draft = draftHandoff(PROJECT, pushes);
    expect(draft.keyChanges).toEqual(Array.from({ length: 10 }, (_, i) => `Push number ${14 - i} (github)`));
    expect(draft.summary).toContain('10 key changes, 0 decisions, 0 open questions and 0 next steps found.');
  });
});

describe('decisions, open questions and next steps', () => {
  it('are read from the wording of titles and content', () => {
    const notes = makeEvent({
      source: 'slack',
      eventType: 'message',
      title: 'Refunds sync',
      content: [
        'We decided to keep Stripe as the only processor.',
        'Ada and Sam agreed on weekly releases.',
        'Going with Postgres for the ledger.',
        'Who owns the webhook retries?',
        'TBD whether EU customers need a separate queue',
        'Open question: the payout cut-off time',
        'Next step: write the runbook for chargebacks.',
        'We need to rotate the API keys.',
        'TODO drop the legacy export flag',
      ].join('\n'),
    });
    const draft = draftHandoff(PROJECT, [notes]);
    expect(draft.decisions).toEqual(['We decided to keep Stripe as the only processor.', 'Ada and Sam agreed on weekly releases.', 'Going with Postgres for the ledger.']);
    expect(draft.openQuestions).toEqual(['Who owns the webhook retries?', 'TBD whether EU customers need a separate queue', 'Open question: the payout cut-off time']);
    expect(draft.nextSteps).toEqual(['Next step: write the runbook for chargebacks.', 'We need to rotate the API keys.', 'TODO drop the legacy export flag']);
    expect(draft.relatedEventIds).toEqual([notes.id]);
    expect(draft.summary).toContain('0 key changes, 3 decisions, 3 open questions and 3 next steps found.');
  });

  it('split sentences within a paragraph and strip list markers', () => {
    const notes = makeEvent({
      content: 'We settled on nightly payouts. Is the bank API rate limited? Follow-up with the bank on limits.\n- Need to update the runbook\n> Should we page on-call for this?\n* Remaining: the CSV importer',
    });
    const draft = draftHandoff(PROJECT, [notes]);
    expect(draft.decisions).toEqual(['We settled on nightly payouts.']);
    expect(draft.openQuestions).toEqual(['Is the bank API rate limited?', 'Should we page on-call for this?']);
    expect(draft.nextSteps).toEqual(['Follow-up with the bank on limits.', 'Need to update the runbook', 'Remaining: the CSV importer']);
  });

  it('put a sentence in one section only: question before decision before next step', () => {
    const notes = makeEvent({
      content: [
        'We agreed to ship on Friday, but who tells support?',
        'Have we agreed on the refund window?',
        'Should we retry failed webhooks?',
        'Not sure we need to keep the v1 endpoint',
        'TBD: we decided nothing on EU pricing',
        'Unclear whether the decision needs to be approved',
        'We decided we need to rotate the keys.',
      ].join('\n'),
    });
    const draft = draftHandoff(PROJECT, [notes]);
    expect(draft.openQuestions).toEqual([
      'We agreed to ship on Friday, but who tells support?',
      'Have we agreed on the refund window?',
      'Should we retry failed webhooks?',
      'Not sure we need to keep the v1 endpoint',
      'TBD: we decided nothing on EU pricing',
      'Unclear whether the decision needs to be approved',
    ]);
    expect(draft.decisions).toEqual(['We decided we need to rotate the keys.']);
    expect(draft.nextSteps).toEqual([]);
  });

  it('read "Next:" as a next step', () => {
    const draft = draftHandoff(PROJECT, [makeEvent({ content: 'Next: write the migration.' })]);
    expect(draft.nextSteps).toEqual(['Next: write the migration.']);
    expect(draft.decisions).toEqual([]);
    expect(draft.openQuestions).toEqual([]);
  });

  it('keep a next step that mentions a change', () => {
    const draft = draftHandoff(PROJECT, [makeEvent({ content: 'We need to get the refund fix merged before Friday.' })]);
    expect(draft.nextSteps).toEqual(['We need to get the refund fix merged before Friday.']);
    expect(draft.keyChanges).toEqual([]);
  });

  it('do not take "will" alone for a next step', () => {
    const draft = draftHandoff(PROJECT, [makeEvent({ content: 'This will break the mobile app.\nWe will use Stripe for payouts.' })]);
    expect(draft.nextSteps).toEqual([]);
    expect(draft.openQuestions).toEqual([]);
    expect(draft.decisions).toEqual(['We will use Stripe for payouts.']);
  });

  it('read curly apostrophes as straight ones', () => {
    const draft = draftHandoff(PROJECT, [makeEvent({ content: 'We\u2019ll use Stripe for refunds.\nWe\u2018ll go with weekly payouts.' })]);
    expect(draft.decisions).toEqual(["We'll use Stripe for refunds.", "We'll go with weekly payouts."]);
  });

  it('keep sentences written entirely in Cyrillic or CJK', () => {
    const event = makeEvent({ content: 'Кто отвечает за возвраты?\nКто проверит выплаты?\n退款重试由谁负责?' });
    const draft = draftHandoff(PROJECT, [event]);
    expect(draft.openQuestions).toEqual(['Кто отвечает за возвраты?', 'Кто проверит выплаты?', '退款重试由谁负责?']);
    expect(draft.relatedEventIds).toEqual([event.id]);
  });

  it.each(['- ', '* ', '> ', '• ', '1. ', '2) ', '10. '])('strip the list marker "%s" from a sentence start', (marker) => {
    const draft = draftHandoff(PROJECT, [makeEvent({ content: `${marker}Need to add retries` })]);
    expect(draft.nextSteps).toEqual(['Need to add retries']);
  });

  it('leave a sentence that starts with a digit but no list marker intact', () => {
    const draft = draftHandoff(PROJECT, [makeEvent({ content: '2FA needs to be enabled for admins.\n3DS should be required for EU cards.' })]);
    expect(draft.nextSteps).toEqual(['2FA needs to be enabled for admins.', '3DS should be required for EU cards.']);
  });

  it('ignore fragments shorter than eight characters', () => {
    const draft = draftHandoff(PROJECT, [makeEvent({ content: 'Why?\nTODO.\nAgreed.' })]);
    expect(draft.openQuestions).toEqual([]);
    expect(draft.nextSteps).toEqual([]);
    expect(draft.decisions).toEqual([]);
  });

  it('list the newest event first and keep a repeated sentence once, from its newest event', () => {
    const older = makeEvent({ content: 'We decided to cap refunds at 30 days.\nNeed to email the finance team.', createdAt: at(1) });
    const newer = makeEvent({ content: 'We decided to drop PayPal.\nNeed to email the finance team.', createdAt: at(2) });
    const draft = draftHandoff(PROJECT, [older, newer]);
    expect(draft.decisions).toEqual(['We decided to drop PayPal.', 'We decided to cap refunds at 30 days.']);
    expect(draft.nextSteps).toEqual(['Need to email the finance team.']);
    expect(draft.relatedEventIds).toEqual([newer.id, older.id]);
  });

  it('keep at most ten per section', () => {
    const content = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i + 1)).join('\n');
    const draft = draftHandoff(PROJECT, [
      makeEvent({
        content: [
          content(13, (i) => `We decided on option ${i}.`),
          content(12, (i) => `Who reviews part ${i}?`),
          content(11, (i) => `Need to check region ${i}`),
        ].join('\n'),
      }),
    ]);
    expect(draft.decisions).toEqual(Array.from({ length: 10 }, (_, i) => `We decided on option ${i + 1}.`));
    expect(draft.openQuestions).toEqual(Array.from({ length: 10 }, (_, i) => `Who reviews part ${i + 1}?`));
    expect(draft.nextSteps).toEqual(Array.from({ length: 10 }, (_, i) => `Need to check region ${i + 1}`));
  });
});

describe("Baton's own run events", () => {
  it('turn a failed run into a next step', () => {
    const failed = makeEvent({
      source: 'baton',
      eventType: 'run_failed',
      title: 'Run failed: Backfill refunds for March',
      content: 'Backfill refunds for March\nFailed: timeout talking to the ledger',
    });
    const draft = draftHandoff(PROJECT, [failed]);
    expect(draft.nextSteps).toEqual(['Look into the failed run: Backfill refunds for March']);
    expect(draft.keyChanges).toEqual([]);
    expect(draft.relatedEventIds).toEqual([failed.id]);
  });

  it('are not mined for sentences: a failed run gives exactly one next step', () => {
    const failed = makeEvent({
      source: 'baton',
      eventType: 'run_failed',
      title: 'Run failed: Need to migrate the refunds table',
      content: 'Need to migrate the refunds table\nShould we retry? We decided to stop.',
    });
    const draft = draftHandoff(PROJECT, [failed]);
    expect(draft.nextSteps).toEqual(['Look into the failed run: Need to migrate the refunds table']);
    expect(draft.openQuestions).toEqual([]);
    expect(draft.decisions).toEqual([]);
    expect(draft.keyChanges).toEqual([]);
    expect(draft.relatedEventIds).toEqual([failed.id]);
  });

  it('are not mined for sentences, while the same words from another source are', () => {
    const content = 'TODO backfill the ledger\nWho owns this run?\nWe agreed to ship it.';
    const fromBaton = draftHandoff(PROJECT, [
      makeEvent({ source: 'baton', eventType: 'run_completed', title: 'Run completed: Backfill refunds', content, createdAt: at(2) }),
      makeEvent({ source: 'baton', eventType: 'approval_requested', title: 'Approval requested: run the migration', content: 'Should we run it now?', createdAt: at(1) }),
    ]);
    expect(fromBaton.keyChanges).toEqual(['Run completed: Backfill refunds (baton)']);
    expect(fromBaton.openQuestions).toEqual(['Approval requested: run the migration — still waiting for a decision?']);
    expect(fromBaton.decisions).toEqual([]);
    expect(fromBaton.nextSteps).toEqual([]);

    const fromSlack = draftHandoff(PROJECT, [makeEvent({ source: 'slack', eventType: 'message', title: 'Backfill', content })]);
    expect(fromSlack.nextSteps).toEqual(['TODO backfill the ledger']);
    expect(fromSlack.openQuestions).toEqual(['Who owns this run?']);
    expect(fromSlack.decisions).toEqual(['We agreed to ship it.']);
  });

  it('turn an approval request into an open question', () => {
    const asked = makeEvent({
      source: 'baton',
      eventType: 'approval_requested',
      title: 'Approval requested: deploy to production',
      content: 'Approval requested for deploy to production (touches billing) in the run "Ship refunds"',
    });
    const draft = draftHandoff(PROJECT, [asked]);
    expect(draft.openQuestions).toEqual(['Approval requested: deploy to production — still waiting for a decision?']);
    expect(draft.decisions).toEqual([]);
    expect(draft.keyChanges).toEqual([]);
    expect(draft.nextSteps).toEqual([]);
  });
});

describe("Baton's approvals, paired by approval id", () => {
  const APPROVAL_A = '0b7c9a52-7d0e-4d8e-9a57-3f3c0c1f9a01';
  const APPROVAL_B = '0b7c9a52-7d0e-4d8e-9a57-3f3c0c1f9a02';
  // As context-events.ts writes them.
  const requested = (id: string, action: string, minutes: number) =>
    makeEvent({
      source: 'baton',
      eventType: 'approval_requested',
      title: `Approval requested: ${action}`,
      content: `Approval requested for ${action} (Autonomy level "act" asks before deploy actions) in the run "Add /healthz and deploy"\nApproval id: ${id}`,
      createdAt: at(minutes),
    });
  const decided = (type: 'approval_granted' | 'approval_denied', id: string, title: string, minutes: number) =>
    makeEvent({ source: 'baton', eventType: type, title, content: `Alice decided in the run "Add /healthz and deploy".\nApproval id: ${id}`, createdAt: at(minutes) });

  it('a granted approval is a decision, not an open question; one still pending stays open', () => {
    const draft = draftHandoff(PROJECT, [
      requested(APPROVAL_A, 'Deploy to staging', 1),
      decided('approval_granted', APPROVAL_A, 'Approved: Deploy to staging, by Alice', 2),
      requested(APPROVAL_B, 'Deploy to production', 3),
    ]);
    expect(draft.openQuestions).toEqual(['Approval requested: Deploy to production — still waiting for a decision?']);
    expect(draft.decisions).toEqual(['Approved: Deploy to staging, by Alice']);
    expect(draft.keyChanges).toEqual([]);
  });

  it('a denied approval, or one its run ended without, is not open either; a denial is a decision', () => {
    const draft = draftHandoff(PROJECT, [
      requested(APPROVAL_A, 'Deploy to staging', 1),
      decided('approval_denied', APPROVAL_A, 'Denied: Deploy to staging, by Alice — not today', 2),
      requested(APPROVAL_B, 'Deploy to production', 3),
      makeEvent({
        source: 'baton',
        eventType: 'run_cancelled',
        title: 'Run cancelled: Add /healthz and deploy',
        content: `Add /healthz and deploy\nReason: Cancelled by Alice\nApproval expired undecided: Deploy to production (Approval id: ${APPROVAL_B})`,
        createdAt: at(4),
      }),
    ]);
    expect(draft.openQuestions).toEqual([]);
    expect(draft.decisions).toEqual(['Denied: Deploy to staging, by Alice — not today']);
  });

  it('pairs by id whatever the order of the input', () => {
    const events = [requested(APPROVAL_A, 'Deploy to staging', 1), decided('approval_granted', APPROVAL_A, 'Approved: Deploy to staging, by Alice', 2)];
    expect(draftHandoff(PROJECT, [...events].reverse()).openQuestions).toEqual([]);
  });

  it('does not let another source settle a Baton approval', () => {
    const draft = draftHandoff(PROJECT, [
      requested(APPROVAL_A, 'Deploy to staging', 1),
      makeEvent({ source: 'slack', eventType: 'approval_granted', title: 'Approved', content: `Approval id: ${APPROVAL_A}`, createdAt: at(2) }),
    ]);
    expect(draft.openQuestions).toEqual(['Approval requested: Deploy to staging — still waiting for a decision?']);
  });

  it('treats a request recorded without an id as settled once its run has ended', () => {
    const legacy = makeEvent({
      source: 'baton',
      eventType: 'approval_requested',
      title: 'Approval requested: Deploy to staging',
      content: 'Approval requested for Deploy to staging in the run "Ship refunds"',
      createdAt: at(1),
    });
    const endedLater = makeEvent({ source: 'baton', eventType: 'run_completed', title: 'Run completed: Ship refunds', content: 'Ship refunds', createdAt: at(5) });
    const otherRun = makeEvent({ source: 'baton', eventType: 'run_completed', title: 'Run completed: Something else', content: 'Something else', createdAt: at(5) });
    expect(draftHandoff(PROJECT, [legacy, endedLater]).openQuestions).toEqual([]);
    expect(draftHandoff(PROJECT, [legacy, otherRun]).openQuestions).toEqual(['Approval requested: Deploy to staging — still waiting for a decision?']);
  });

  it('settles a request recorded without an id when its run ends with what it achieved in the title', () => {
    const legacy = makeEvent({
      source: 'baton',
      eventType: 'approval_requested',
      title: 'Approval requested: Deploy to staging',
      content: 'Approval requested for Deploy to staging in the run "Ship"',
      createdAt: at(1),
    });
    const ended = (title: string) => makeEvent({ source: 'baton', eventType: 'run_completed', title, content: 'Ship', createdAt: at(5) });
    expect(draftHandoff(PROJECT, [legacy, ended('Run completed: Ship — no code changes; deployed to staging')]).openQuestions).toEqual([]);
    // Another run whose request merely starts the same way does not.
    expect(draftHandoff(PROJECT, [legacy, ended('Run completed: Ship the rest')]).openQuestions).toHaveLength(1);
  });
});

describe('sources and summary', () => {
  it('order sources by count, ties alphabetically, and count events, people and days', () => {
    const events = [
      makeEvent({ source: 'slack', author: 'ada', userId: 'usr_1', createdAt: at(0) }),
      makeEvent({ source: 'slack', author: 'ada', userId: 'usr_2', createdAt: at(60) }),
      makeEvent({ source: 'slack', author: null, userId: 'usr_3', createdAt: at(120) }),
      makeEvent({ source: 'linear', author: 'sam', userId: 'usr_1', createdAt: at(180) }),
      makeEvent({ source: 'linear', author: 'sam', userId: 'usr_1', createdAt: at(240) }),
      makeEvent({ source: 'github', author: null, userId: 'usr_3', createdAt: at(300) }),
      makeEvent({ source: 'github', author: 'ada', userId: 'usr_1', createdAt: new Date(START + 2 * DAY).toISOString() }),
      makeEvent({ source: 'baton', author: 'sam', userId: 'usr_2', createdAt: at(360) }),
    ];
    const draft = draftHandoff(PROJECT, events);
    expect(draft.sources).toEqual(['slack', 'github', 'linear', 'baton']);
    expect(draft.summary).toBe(
      '8 events from slack (3), github (2), linear (2), baton (1) between 2026-03-02 and 2026-03-04, by 3 people. ' +
        '0 key changes, 0 decisions, 0 open questions and 0 next steps found.',
    );
  });

  it('date a thread-less handoff over several days as "from to"', () => {
    const events = [
      makeEvent({ source: 'slack', createdAt: new Date(START + DAY).toISOString() }),
      makeEvent({ source: 'slack', createdAt: new Date(START + 3 * DAY).toISOString() }),
    ];
    const draft = draftHandoff(PROJECT, events);
    expect(draft.title).toBe('Payments handoff, 2026-03-03 to 2026-03-05');
    expect(draft.summary).toBe('2 events from slack (2) between 2026-03-03 and 2026-03-05, by 1 person. 0 key changes, 0 decisions, 0 open questions and 0 next steps found.');
  });

  it('speak in the singular for one event by one person on one day', () => {
    const draft = draftHandoff(PROJECT, [makeEvent({ eventType: 'push', title: 'Ship the payout export', content: 'We decided to ship it today.' })]);
    expect(draft.sources).toEqual(['github']);
    expect(draft.title).toBe('Payments handoff, 2026-03-02');
    expect(draft.summary).toBe('1 event from github (1) on 2026-03-02, by 1 person. 1 key change, 1 decision, 0 open questions and 0 next steps found.');
  });
});

describe('determinism', () => {
  const feed = () => {
    const tie = at(50);
    return [
      makeEvent({ source: 'linear', eventType: 'issue_updated', title: 'PAY-12 Refund retries', content: 'Who owns the retry budget?', createdAt: at(1) }),
      makeEvent({ source: 'github', eventType: 'push', title: 'Add refund retries', content: 'Refs PAY-12', branch: 'feature/refunds', createdAt: at(2) }),
      makeEvent({ source: 'github', eventType: 'pull_request_merged', title: 'Merge pull request #341', branch: 'feature/refunds', createdAt: at(3) }),
      makeEvent({ source: 'slack', eventType: 'message', title: 'Thread', content: 'We decided to go live Monday. Need to warn support.', createdAt: tie }),
      makeEvent({ source: 'slack', eventType: 'message', title: 'Thread', content: 'PR 341 is green. TBD who presses deploy', createdAt: tie }),
      makeEvent({ source: 'discord', eventType: 'message', title: 'Status', content: 'Going with the blue-green rollout.', author: null, userId: 'usr_sam', createdAt: tie }),
      makeEvent({ source: 'baton', eventType: 'run_failed', title: 'Run failed: Reconcile payouts', createdAt: at(60) }),
      makeEvent({ source: 'baton', eventType: 'approval_requested', title: 'Approval requested: run the migration', createdAt: at(61) }),
      makeEvent({ source: 'baton', eventType: 'run_completed', title: 'Run completed: Reconcile payouts', createdAt: new Date(START + DAY).toISOString() }),
    ];
  };

  it('gives the same draft for the same events in any order, without touching the input', () => {
    const events = feed();
    const expected = draftHandoff(PROJECT, events);
    // Sanity: the feed exercises every section, so the comparison means something.
    expect(expected.title).toBe('Payments handoff: #341, PAY-12');
    for (const list of [expected.keyChanges, expected.decisions, expected.openQuestions, expected.nextSteps]) expect(list.length).toBeGreaterThan(0);

    const orders = [[...events].reverse(), ...[1, 2, 3, 4, 5].map((seed) => shuffled(events, seed))];
    for (const order of orders) {
      const snapshot = [...order];
      expect(draftHandoff(PROJECT, order)).toEqual(expected);
      expect(order).toEqual(snapshot);
    }
  });

  it('breaks ties on equal timestamps by id, not by input order', () => {
    const tie = at(5);
    const a = makeEvent({ content: 'We decided to use idempotency keys.', createdAt: tie });
    const b = makeEvent({ content: 'We decided to retry three times.', createdAt: tie });
    const forwards = draftHandoff(PROJECT, [a, b]);
    expect(draftHandoff(PROJECT, [b, a])).toEqual(forwards);
    // The larger id counts as newer.
    const [newer, older] = a.id > b.id ? [a, b] : [b, a];
    expect(forwards.decisions).toEqual([newer.content, older.content]);
  });
});

describe('caps', () => {
  it('keep at most 100 related event ids, each once', () => {
    const events = Array.from({ length: 150 }, (_, i) =>
      makeEvent({ source: i % 2 ? 'github' : 'linear', title: `PAY-12 update ${i}`, content: 'Still on it', createdAt: at(i) }),
    );
    const draft = draftHandoff(PROJECT, events);
    expect(draft.relatedEventIds).toHaveLength(100);
    expect(new Set(draft.relatedEventIds).size).toBe(100);
    const ids = new Set(events.map((e) => e.id));
    for (const id of draft.relatedEventIds) expect(ids.has(id)).toBe(true);
    expect(draft.summary).toContain('Most active: PAY-12 (150 events across github, linear).');
  });

  it('clip long items to 200 characters ending in "..."', () => {
    const longTitle = `Shipped ${'the refund pipeline '.repeat(20)}`.trim();
    const longDecision = `We decided ${'to keep every ledger entry immutable '.repeat(8)}`.trim() + '.';
    expect(longDecision.length).toBeGreaterThan(200);
    expect(longDecision.length).toBeLessThanOrEqual(400);
    const draft = draftHandoff(PROJECT, [makeEvent({ eventType: 'push', title: longTitle, content: longDecision })]);

    const [change] = draft.keyChanges;
    expect(change!.length).toBeLessThanOrEqual(200);
    expect(change!.endsWith('...')).toBe(true);
    expect(change!.startsWith('Shipped the refund pipeline the refund pipeline')).toBe(true);

    expect(draft.decisions).toHaveLength(1);
    const [decision] = draft.decisions;
    expect(decision!.length).toBeLessThanOrEqual(200);
    expect(decision!.endsWith('...')).toBe(true);
    expect(longDecision.startsWith(decision!.slice(0, -3))).toBe(true);
  });

  it('clip a sentence longer than 400 characters instead of dropping it', () => {
    const longStep = `We need to ${'double-check every refund in the March ledger '.repeat(10)}`.trim() + '.';
    expect(longStep.length).toBeGreaterThan(400);
    const draft = draftHandoff(PROJECT, [makeEvent({ content: longStep })]);
    const expected = `${longStep.slice(0, 197).trimEnd()}...`;
    expect(expected.length).toBeLessThanOrEqual(200);
    expect(draft.nextSteps).toEqual([expected]);
  });

  it('clip a long title to 200 characters', () => {
    const draft = draftHandoff('Payments '.repeat(40).trim(), [makeEvent()]);
    expect(draft.title.length).toBeLessThanOrEqual(200);
    expect(draft.title.endsWith('...')).toBe(true);
    expect(draft.title.startsWith('Payments Payments')).toBe(true);
  });
});
