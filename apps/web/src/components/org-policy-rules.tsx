import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, type RouterOutputs } from '../lib/trpc.ts';
import { optimistic } from '../lib/mutations.ts';
import { actionError, formErrors } from '../lib/org-errors.ts';
import { DECISIONS, RISKS, RISK_ORDER, TOOLS, type PolicyDecision, type PolicyRule, type ToolRisk } from '../lib/org-levels.ts';
import { Badge, Button, Card, Dialog, EmptyState, Field, Form, FormError, QueryState, RelativeTime, SelectField, Table, useToast } from './ui.ts';

type RuleList = RouterOutputs['mk']['policyRules']['list'];

const toolLabel = (name: string) => TOOLS.find((t) => t.name === name)?.label ?? name;

/** What a rule matches, in words: "the deploy tool", "any write action". */
function describeMatch(r: PolicyRule): string {
  if (r.tool && r.risk) return `${toolLabel(r.tool)} (${r.tool}), when ${r.risk}`;
  if (r.tool) return `${toolLabel(r.tool)} (${r.tool})`;
  return `any ${r.risk} action`;
}

/** The org's policy rules: list, create, delete (admins). They override the autonomy level. */
export function PolicyRulesCard({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const toast = useToast();
  const rules = useQuery(trpc.mk.policyRules.list.queryOptions({}));
  const [deleting, setDeleting] = useState<PolicyRule | null>(null);
  const del = useMutation(
    trpc.mk.policyRules.delete.mutationOptions(
      optimistic(trpc.mk.policyRules.list.queryKey(), (old: RuleList, { id }: { id: string }) => ({ ...old, data: { rules: old.data.rules.filter((r) => r.id !== id) } }), {
        onSuccess: () => {
          setDeleting(null);
          toast('Policy rule deleted', 'success');
        },
      }),
    ),
  );
  return (
    <Card title="Policy rules">
      <p className="muted">
        A rule decides for the actions it matches, whatever the autonomy level: always ask a person, or let them run. A rule naming a tool wins over one naming a risk;
        among equals, the newest wins.
      </p>
      <QueryState query={rules}>
        {({ data }) =>
          data.rules.length === 0 ? (
            <EmptyState title="No policy rules: the autonomy level decides alone." />
          ) : (
            <Table label="Policy rules" data-testid="policy-rules">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Matches</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Created</th>
                  {canEdit && (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {data.rules.map((r) => (
                  <tr key={r.id} data-rule-id={r.id}>
                    <td data-label="Rule" className="rule-name">
                      {r.name}
                    </td>
                    <td data-label="Matches">{describeMatch(r)}</td>
                    <td data-label="Decision">
                      <Badge tone={r.decision === 'auto_approve' ? 'warn' : 'active'}>{DECISIONS[r.decision]}</Badge>
                      {!r.enabled && <span className="muted"> (disabled)</span>}
                    </td>
                    <td data-label="Created">
                      <RelativeTime iso={r.createdAt} />
                    </td>
                    {canEdit && (
                      <td className="row-actions">
                        <Button variant="danger" aria-label={`Delete rule ${r.name}`} onClick={() => setDeleting(r)}>
                          Delete
                        </Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </Table>
          )
        }
      </QueryState>
      {canEdit && <NewRuleForm />}
      <Dialog
        open={deleting !== null}
        onClose={() => {
          setDeleting(null);
          del.reset();
        }}
        title="Delete this policy rule?"
        footer={
          <>
            <Button variant="secondary" onClick={() => setDeleting(null)} disabled={del.isPending}>
              Keep it
            </Button>
            <Button variant="danger" busy={del.isPending} onClick={() => deleting && del.mutate({ id: deleting.id })}>
              {del.isPending ? 'Deleting…' : 'Delete rule'}
            </Button>
          </>
        }
      >
        {deleting && (
          <p>
            “{deleting.name}” stops applying to {describeMatch(deleting)}; the autonomy level decides for it again.
          </p>
        )}
        <FormError error={actionError(del.error)} />
      </Dialog>
    </Card>
  );
}

function NewRuleForm() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState('');
  const [tool, setTool] = useState('');
  const [risk, setRisk] = useState<ToolRisk | ''>('');
  const [decision, setDecision] = useState<PolicyDecision>('require_approval');
  const create = useMutation(
    trpc.mk.policyRules.create.mutationOptions({
      onSuccess: async ({ data }) => {
        setName('');
        setTool('');
        setRisk('');
        toast(`Policy rule “${data.name}” added`, 'success');
        await qc.invalidateQueries({ queryKey: trpc.mk.policyRules.list.queryKey() });
      },
    }),
  );
  const errors = formErrors(create.error, ['name', 'tool', 'risk', 'decision'] as const);
  // "tool or risk: …" names both; it belongs beside the pair.
  const pairError = create.error && /^tool or risk: /.test(create.error.message) ? create.error.message.replace(/^tool or risk: /, 'Pick a tool, a risk, or both: ') : null;
  return (
    <Form busy={create.isPending} className="org-subform" onSubmit={() => create.mutate({ name, decision, ...(tool ? { tool } : {}), ...(risk ? { risk } : {}) })}>
      <h3>Add a rule</h3>
      <div className="org-grid">
        <Field label="Rule name" name="ruleName" value={name} onChange={setName} error={errors.fields.name} required maxLength={200} hint="Shown in the approval log, e.g. “Ask before deploys”." />
        <SelectField label="Tool" name="ruleTool" value={tool} onChange={setTool} error={errors.fields.tool ?? pairError}>
          <option value="">Any tool</option>
          {TOOLS.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name} — {t.label}
            </option>
          ))}
        </SelectField>
        <SelectField label="Risk" name="ruleRisk" value={risk} onChange={(v) => setRisk(v as ToolRisk | '')} error={errors.fields.risk} hint={risk ? RISKS[risk] : 'Matches every tool of this risk.'}>
          <option value="">Any risk</option>
          {RISK_ORDER.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </SelectField>
        <SelectField label="Decision" name="ruleDecision" value={decision} onChange={(v) => setDecision(v as PolicyDecision)} error={errors.fields.decision}>
          {(Object.keys(DECISIONS) as PolicyDecision[]).map((d) => (
            <option key={d} value={d}>
              {DECISIONS[d]}
            </option>
          ))}
        </SelectField>
      </div>
      <FormError error={pairError ? null : errors.form} />
      <Button type="submit" busy={create.isPending}>
        {create.isPending ? 'Adding…' : 'Add rule'}
      </Button>
    </Form>
  );
}
