import { z } from 'zod';
import { ZOrgSummary } from '../orgs/org.types.ts';

export const ZUserSummary = z
  .object({ id: z.string(), email: z.string(), name: z.string() })
  .meta({ id: 'UserSummary' });
export type TUserSummary = z.infer<typeof ZUserSummary>;

export const ZEmail = z.email().max(255).transform((e) => e.toLowerCase());
export const ZPassword = z.string().min(8).max(128);

export const ZRegisterInput = z.object({
  email: ZEmail,
  password: ZPassword,
  name: z.string().trim().min(1).max(255),
  orgName: z.string().trim().min(1).max(255).optional(),
});
export const ZRegisterOutput = z.object({ user: ZUserSummary, organization: ZOrgSummary });

export const ZLoginInput = z.object({ email: z.email().max(320).transform((e) => e.toLowerCase()), password: z.string().max(1024) });
export const ZForgotPasswordInput = z.object({ email: z.email().max(320).transform((e) => e.toLowerCase()) });
export const ZResetPasswordInput = z.object({ token: z.string().min(1).max(512), password: ZPassword });
