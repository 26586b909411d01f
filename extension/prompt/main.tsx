import { mount } from '../ui/mount.tsx';
import { PromptPage } from './PromptPage.tsx';

void mount('prompt', <PromptPage requestId={new URLSearchParams(location.search).get('id')} />);
