import { Suspense, useEffect, type ComponentType } from 'react';
import { boot } from './actions.ts';
import { lazyScreen } from './lazy-screen.ts';
import { useRoute, type Landing } from './route.ts';
import { Failed, Loading, ScreenFailed } from './screens/Boot.tsx';
import { Home } from './screens/Home.tsx';
import { Unlock } from './screens/Unlock.tsx';
import { Welcome } from './screens/Welcome.tsx';

// The screens a page opens on (above) come with it; the others load when first shown, or sooner: all
// are preloaded once the first screen is up, so going to one does not wait for its code. One whose code
// did not load says so (ScreenFailed).
const onDemand = <P extends object>(load: () => Promise<ComponentType<P>>) => lazyScreen(load, ScreenFailed);
const Activity = onDemand(() => import('./screens/Activity.tsx').then((m) => m.Activity));
const ConfirmWords = onDemand(() => import('./screens/ConfirmWords.tsx').then((m) => m.ConfirmWords));
const Connect = onDemand(() => import('./screens/Connect.tsx').then((m) => m.Connect));
const CreateWords = onDemand(() => import('./screens/CreateWords.tsx').then((m) => m.CreateWords));
const Deposits = onDemand(() => import('./screens/Deposits.tsx').then((m) => m.Deposits));
const ImportWords = onDemand(() => import('./screens/ImportWords.tsx').then((m) => m.ImportWords));
const Limits = onDemand(() => import('./screens/Limits.tsx').then((m) => m.Limits));
const PaidAccess = onDemand(() => import('./screens/PaidAccess.tsx').then((m) => m.PaidAccess));
const PasswordStep = onDemand(() => import('./screens/PasswordStep.tsx').then((m) => m.PasswordStep));
const Receive = onDemand(() => import('./screens/Receive.tsx').then((m) => m.Receive));
const Send = onDemand(() => import('./screens/Send.tsx').then((m) => m.Send));
const Settings = onDemand(() => import('./screens/Settings.tsx').then((m) => m.Settings));
const LAZY = [Activity, ConfirmWords, Connect, CreateWords, Deposits, ImportWords, Limits, PaidAccess, PasswordStep, Receive, Send, Settings];

/** The wallet's pages (popup and options): one screen at a time, chosen by the route store. */
export function App({ landing }: { landing: Landing }) {
  const booted = useRoute((s) => s.screen !== 'loading');
  useEffect(() => {
    // The options page lands on settings: its code loads while the worker answers vault.status.
    if (landing === 'settings') void Settings.preload();
    void boot(landing);
  }, [landing]);
  useEffect(() => {
    if (!booted) return;
    const idle = requestIdleCallback(() => LAZY.forEach((s) => void s.preload()));
    return () => cancelIdleCallback(idle);
  }, [booted]);
  // The boot screen's spinner while a screen's code loads: the popup is never blank.
  return (
    <Suspense fallback={<Loading />}>
      <Screen />
    </Suspense>
  );
}

function Screen() {
  const screen = useRoute((s) => s.screen);
  const draft = useRoute((s) => s.draft);
  switch (screen) {
    case 'loading':
      return <Loading />;
    case 'failed':
      return <Failed />;
    case 'welcome':
      return <Welcome />;
    case 'create':
      return <CreateWords />;
    // The steps after the words need them; without (never expected) start over.
    case 'confirm':
      return draft ? <ConfirmWords draft={draft} /> : <Welcome />;
    case 'password':
      return draft ? <PasswordStep draft={draft} /> : <Welcome />;
    case 'import':
      return <ImportWords />;
    case 'unlock':
      return <Unlock />;
    case 'home':
      return <Home />;
    case 'connect':
      return <Connect />;
    case 'settings':
      return <Settings />;
    case 'limits':
      return <Limits />;
    case 'activity':
      return <Activity />;
    case 'paidAccess':
      return <PaidAccess />;
    case 'deposits':
      return <Deposits />;
    case 'send':
      return <Send />;
    case 'receive':
      return <Receive />;
  }
}
