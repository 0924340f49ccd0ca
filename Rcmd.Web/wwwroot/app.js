// The reconnection banner's buttons (no inline handlers: the Content-Security-Policy admits scripts from this site only).
document.addEventListener('click', (event) => {
  const action = event.target instanceof Element ? event.target.closest('[data-circuit-action]')?.getAttribute('data-circuit-action') : null;
  if (action === 'retry') {
    Blazor.reconnect();
  } else if (action === 'reload') {
    location.reload();
  }
});
