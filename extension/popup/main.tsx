import { App } from '../ui/App.tsx';
import { mount } from '../ui/mount.tsx';

void mount('popup', <App landing="home" />);
