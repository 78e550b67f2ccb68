export { AppError, knownError, describeError, APP_ERROR_CODES, notFound, forbidden, badRequest, conflict, unauthorized, type AppErrorCode } from './errors.ts';
export {
  withTransaction,
  createCoreContext,
  inUnit,
  createConsoleLogger,
  type CoreContextInit,
  type CoreContext,
  type CoreConfig,
  type Actor,
  type Logger,
} from './context.ts';
export { formatMicros, parseToMicros, MICROS } from './util/money.ts';
export { newId, newPrefixedId, sha256Hex, randomToken } from './util/ids.ts';

export * as orgTypes from './orgs/org.types.ts';
export { getOrgAccess, resolveActiveOrg, requireRole, roleAtLeast, effectiveRole, type OrgAccess } from './orgs/access.ts';
export { createOrg } from './orgs/create-org.ts';
export { listOrgs, listActorOrgs } from './orgs/list-orgs.ts';
export { getOrg } from './orgs/get-org.ts';
export { updateOrg } from './orgs/update-org.ts';
export { deleteOrg } from './orgs/delete-org.ts';

export * as memberTypes from './members/member.types.ts';
export { listMembers } from './members/list-members.ts';
export { inviteMember } from './members/invite-member.ts';
export { listInvitations } from './members/list-invitations.ts';
export { revokeInvitation } from './members/revoke-invitation.ts';
export { getInvitationPreview, assertInvitationPending } from './members/get-invitation.ts';
export { acceptInvitation, type NewAccount } from './members/accept-invitation.ts';
export { updateMemberRole } from './members/update-member-role.ts';
export { removeMember } from './members/remove-member.ts';
export { leaveOrg } from './members/leave-org.ts';
export { INVITATION_TTL_MS, isGenuineInvitationToken } from './members/invitation-token.ts';
export { recordOrgEvent, type OrgEventType } from './orgs/record-org-event.ts';

export * as projectTypes from './projects/project.types.ts';
export { createProject } from './projects/create-project.ts';
export { listProjects } from './projects/list-projects.ts';
export { getProject, loadProject } from './projects/get-project.ts';
export { updateProject } from './projects/update-project.ts';
export { deleteProject } from './projects/delete-project.ts';
export { listProjectEnvironments } from './projects/list-environments.ts';

export * as userTypes from './users/user.types.ts';
export { registerUser } from './users/register-user.ts';
export { findUserByEmail, findUserById } from './users/find-user.ts';
export { requestPasswordReset, resetPassword, RESET_TOKEN_TTL_MS } from './users/password-reset.ts';
export { sendMail, listOutbox, type MailConfig } from './mail/send-mail.ts';

export * as apiKeyTypes from './api-keys/api-key.types.ts';
export { createApiKey, listApiKeys, revokeApiKey } from './api-keys/manage-api-keys.ts';

export * as relayTypes from './relay/relay.types.ts';
export { listRelayProjects } from './relay/relay-projects.ts';

export * as runTypes from './runs/run.types.ts';
export { RunEventBus, RUN_EVENTS_CHANNEL, type RunEventListener } from './runs/event-bus.ts';
export { relayRunEventsAcrossNodes } from './runs/event-relay.ts';
export { appendRunEvent, appendRunEvents, type NewRunEvent } from './runs/append-events.ts';
export { createRun } from './runs/create-run.ts';
export { listRuns } from './runs/list-runs.ts';
export { getRunDetail, getRunReplay, runEventsAfter } from './runs/get-run.ts';
export { loadRunFor } from './runs/load-run.ts';
export { approveRun, denyRun, expireApproval } from './runs/decide-approval.ts';
export { cancelRun } from './runs/cancel-run.ts';
export { finishRun, isTerminal } from './runs/finish-run.ts';
export { renderRun, renderEvent, renderApproval } from './runs/render-run.ts';

export { enqueueJob, reclaimLeases, JOBS_CHANNEL, LeaseLostError } from './jobs/queue.ts';
export { JobWorker, PermanentJobError, type JobHandler, type JobHelpers } from './jobs/worker.ts';
export { ENGINE_JOB_HANDLERS, onEngineJobDead } from './engine/engine-jobs.ts';
export { advanceRun } from './engine/advance-run.ts';
export { BUILTIN_RULES } from './engine/policy.ts';
export { DEFAULT_PRICES, DEFAULT_COMMAND_ALLOWLIST, type EngineConfig, type ModelPrice } from './engine/engine-config.ts';
export { chargeUsage, priceMicros } from './billing/charge-usage.ts';
export { afterCommit } from './context.ts';
export { updateProjectEnvironment, ZUpdateEnvironmentInput } from './projects/update-environment.ts';
export { listPolicyRules, createPolicyRule, deletePolicyRule, ZPolicyRule, ZCreatePolicyRuleInput } from './engine/policy-rules.ts';
export { finishedRunCacheSize } from './runs/finished-run-cache.ts';
export { CHECKPOINT_STEP } from './runs/list-checkpoints.ts';

export * as contextEventTypes from './relay/context-event.types.ts';
export * as handoffTypes from './relay/handoff.types.ts';
export { ingestContextEvents, listContextEvents, renderContextEvent } from './relay/context-events.ts';
export { BATON_SOURCE } from './relay/context-event.types.ts';
export { listHandoffs, getHandoff, setHandoffStatus, createHandoffJob, getRelayJob, draftProjectHandoff, insertHandoff, selectHandoffEvents, HANDOFF_EVENT_WINDOW } from './relay/handoffs.ts';
export { draftHandoff, type GeneratorEvent, type HandoffDraft } from './relay/generate-handoff.ts';
export { RELAY_JOB_HANDLERS, onRelayJobDead } from './relay/relay-jobs.ts';
export { listHandoffFilters } from './relay/context-facets.ts';
export { seal, sealedBody, trustSealed } from './util/sealed.ts';
export {
  checkOutboundUrl,
  checkAddress,
  classifyAddress,
  describeRefusal,
  safeFetch,
  setOutboundResolver,
  OutboundUrlError,
  ALLOW_PRIVATE_URLS_HINT,
  type OutboundPolicy,
  type OutboundRefusal,
  type OutboundCheck,
  type OutboundResolver,
  type ResolvedAddress,
  type SafeFetchInit,
  type SafeFetchOptions,
} from './net/outbound-url.ts';
export { checkCommand, runCommand, type CommandResult } from './engine/tools/command.ts';
export {
  probeSandbox,
  sandboxNotes,
  defaultBwrapPath,
  SandboxUnavailableError,
  SANDBOX_INSTALL_HINT,
  SANDBOX_WORKDIR,
  DEFAULT_SANDBOX_LIMITS,
  type SandboxOptions,
  type SandboxLimits,
  type SandboxStatus,
} from './engine/tools/sandbox.ts';
export * as appViews from './app-views/index.ts';
