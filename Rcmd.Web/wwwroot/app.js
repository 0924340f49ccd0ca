// The reconnection banner's buttons (no inline handlers: the Content-Security-Policy admits scripts from this site only).
document.addEventListener('click', (event) => {
  const action = event.target instanceof Element ? event.target.closest('[data-circuit-action]')?.getAttribute('data-circuit-action') : null;
  if (action === 'retry') {
    Blazor.reconnect();
  } else if (action === 'reload') {
    location.reload();
  }
});

// The light/dark choice: in local storage (read by the circuit) and in a cookie, so a prerendered page is served in it
// (no light flash before the circuit starts). Not a secret: a word, readable by scripts.
window.rcmdTheme = {
  remember(theme) {
    localStorage.setItem('rcmd-theme', theme);
    document.cookie = `rcmd-theme=${theme}; path=/; max-age=31536000; samesite=lax`;
  },
};
