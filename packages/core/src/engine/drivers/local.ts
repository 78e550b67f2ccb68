import type { Driver, ExecStage, PlanArtifact, PlanStep, RunInfo } from './driver.ts';
import { advancePlanCursor, describeExecStage, nextPlanStep } from './driver.ts';

const sentences = (text: string) =>
  text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/^[-*\d.)\s]+/, '').trim())
    .filter(Boolean);

const PATH_RE = /(?:^|[\s`'"(])((?:[\w.-]+\/)*[\w-]+\.[A-Za-z0-9]{1,8})(?=$|[\s`'"),.:;])/g;

function mentionedPaths(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PATH_RE)) if (!/^\d+(\.\d+)+$/.test(m[1]!)) out.add(m[1]!);
  return [...out];
}

function targetEnvironment(info: RunInfo): string {
  return /\bprod(uction)?\b/i.test(info.requestText) ? 'production' : 'staging';
}

const notePath = (info: RunInfo) => `.baton/runs/${info.id}.md`;

/**
 * The default driver: deterministic rules, offline, no model. It writes down what was asked, checks
 * its own work, and deploys and health-checks only what the project has configured. It does not
 * understand the request the way a model would, and every artifact it makes says so.
 */
export function createLocalDriver(): Driver {
  const about = { name: 'local', kind: 'deterministic rules', isAI: false };
  return {
    name: 'local',
    usesModel: false,
    intakeNote: () =>
      'Driver "local": deterministic rules, not an AI model. It records the request in the workspace, verifies that record, and deploys and health-checks configured environments. Configure BATON_LLM_URL to use a model.',

    async clarify(info) {
      const assumptions = [
        info.project ? `The change is for project "${info.project.name}".` : 'The run is not tied to a project; it works in a scratch workspace.',
        `Target environment: ${targetEnvironment(info)}.`,
      ];
      return { value: { assumptions, questions: [] }, usage: [] };
    },

    async scope(info) {
      const goals = sentences(info.requestText);
      const paths = mentionedPaths(info.requestText);
      const env = targetEnvironment(info);
      return {
        value: {
          summary: goals[0]?.slice(0, 200) ?? info.requestText.slice(0, 200),
          goals,
          mentionedPaths: paths,
          existingFiles: paths.filter((p) => info.workspaceFiles.includes(p)),
          targetEnvironment: env,
          risks: env === 'production' ? ['The request targets production.'] : [],
          project: info.project ? { id: info.project.id, name: info.project.name } : null,
          driver: about,
        },
        usage: [],
      };
    },

    async plan(info, scope) {
      const file = notePath(info);
      const env = String(scope.targetEnvironment ?? 'staging');
      const environment = info.environments.find((e) => e.name === env);
      const goals = (scope.goals as string[] | undefined) ?? [];
      const note = [`# Change request`, '', info.requestText, '', '## Goals', ...goals.map((g) => `- ${g}`), '', `Recorded by Baton run ${info.id} (local driver).`, ''].join('\n');
      const steps: PlanStep[] = [
        { id: 'inspect', stage: 'build', tool: 'list_files', args: { path: '.' }, description: 'Inspect the workspace' },
        { id: 'record', stage: 'build', tool: 'write_file', args: { path: file, content: note }, description: `Record the request in ${file}` },
        { id: 'reread', stage: 'verify', tool: 'read_file', args: { path: file }, description: `Read back ${file}` },
        { id: 'count', stage: 'verify', tool: 'run_command', args: { command: ['wc', '-l', file] }, description: `Check ${file} with wc` },
      ];
      const notes: string[] = [];
      // Why a stage will have nothing to do, said once here and again by the stage when it ends.
      const skippedStages: Partial<Record<ExecStage, string>> = {};
      if (environment?.deployHookUrl) steps.push({ id: 'deploy', stage: 'deploy', tool: 'deploy', args: { environment: env }, description: `Deploy to ${env}` });
      else {
        skippedStages.deploy = !info.project
          ? 'the run has no project, so there is no environment to deploy to'
          : !environment
            ? `the project has no "${env}" environment`
            : `no deploy hook configured for ${env}`;
        notes.push(`No deploy hook is configured for "${env}", so nothing is deployed.`);
      }
      if (environment?.url) steps.push({ id: 'health', stage: 'monitor', tool: 'health_check', args: { environment: env }, description: `Health-check ${env}` });
      else {
        skippedStages.monitor = !info.project
          ? 'the run has no project, so there is no environment to check'
          : !environment
            ? `the project has no "${env}" environment`
            : `no URL configured for ${env}`;
        notes.push(`No URL is configured for "${env}", so there is nothing to health-check.`);
      }
      const plan: PlanArtifact = { summary: `${steps.length} step(s) across build, verify, deploy and monitor`, steps, notes, skippedStages, driver: about };
      return { value: plan, usage: [] };
    },

    async nextAction(_info, stage, plan, state) {
      return { value: nextPlanStep(plan, stage, state), usage: [] };
    },

    recordResult: (_stage, action, result, state) => advancePlanCursor(action, result, state),

    describeStage: (stage, plan, state) =>
      describeExecStage(stage, plan, state, {
        noSteps: (s) => `the plan has no ${s} steps`,
        // It writes the request down in .baton/runs/; it cannot make the change itself.
        noCodeChanges: (actions) => {
          const records = actions.filter((a) => a.ok && a.tool === 'write_file' && a.path).map((a) => a.path!);
          return `no code changes: the local driver only records the request${records.length ? ` (in ${records.join(', ')})` : ''}`;
        },
      }),
  };
}
