export { AppError, APP_ERROR_CODES, notFound, forbidden, badRequest, conflict, unauthorized, type AppErrorCode } from './errors.ts';
export {
  withTransaction,
  createConsoleLogger,
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
