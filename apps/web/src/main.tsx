import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { createQueryClient } from './lib/query-client.ts';
import { createTrpcProxy, trpcClient, TRPCProvider } from './lib/trpc.ts';
import { isUnder } from './lib/mutations.ts';
import { initTheme } from './lib/theme.ts';
import { createAppRouter, leaveForLogin } from './router.tsx';
import { ToastProvider } from './components/toast.tsx';
import './styles.css';

initTheme();

const queryClient = createQueryClient({
  onUnauthorized: () => void leaveForLogin(router, queryClient),
  isSessionQuery: (key) => isUnder(trpc.session.me.queryKey(), key),
});
const trpc = createTrpcProxy(queryClient);
const router = createAppRouter({ queryClient, trpc });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
