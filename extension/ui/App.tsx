import { useEffect } from 'react';
import { boot } from './actions.ts';
import { useRoute, type Landing } from './route.ts';
import { Activity } from './screens/Activity.tsx';
import { Failed, Loading } from './screens/Boot.tsx';
import { Connect } from './screens/Connect.tsx';
import { Deposits } from './screens/Deposits.tsx';
import { ConfirmWords } from './screens/ConfirmWords.tsx';
import { CreateWords } from './screens/CreateWords.tsx';
import { Home } from './screens/Home.tsx';
import { ImportWords } from './screens/ImportWords.tsx';
import { Limits } from './screens/Limits.tsx';
import { PaidAccess } from './screens/PaidAccess.tsx';
import { PasswordStep } from './screens/PasswordStep.tsx';
import { Receive } from './screens/Receive.tsx';
import { Send } from './screens/Send.tsx';
import { Settings } from './screens/Settings.tsx';
import { Unlock } from './screens/Unlock.tsx';
import { Welcome } from './screens/Welcome.tsx';

/** The wallet's pages (popup and options): one screen at a time, chosen by the route store. */
export function App({ landing }: { landing: Landing }) {
  const screen = useRoute((s) => s.screen);
  const draft = useRoute((s) => s.draft);
  useEffect(() => {
    void boot(landing);
  }, [landing]);
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
