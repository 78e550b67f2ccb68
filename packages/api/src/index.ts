export { appRouter, mkRouter, relayRouter, type AppRouter } from './root.ts';
export { createContext, createContextInner, type ApiDeps, type Context, type Surface } from './context.ts';
export { createRestHandler, toErrorBody } from './rest.ts';
export { mightyKeyOpenApi, flowRelayOpenApi } from './openapi.ts';
export { createCallerFactory, type BatonMeta } from './trpc.ts';
