// Browser entry of the terminal page.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, settingsFromUrl } from './App.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App initial={settingsFromUrl(window.location.search)} />
  </StrictMode>,
);
