import { App } from '../ui/App.tsx';
import { mount } from '../ui/mount.tsx';

// The options page is the same wallet in a full tab, opening on its settings.
void mount('page', <App landing="settings" />);
