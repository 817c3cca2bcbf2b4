// Copy buttons for install commands. Without JavaScript the commands stay selectable text and
// no button is shown; with it, each <pre data-copy> gets one button that copies its text.
for (const pre of document.querySelectorAll('pre[data-copy]')) {
  const code = pre.querySelector('code') || pre;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy';
  button.textContent = 'Copy';
  button.setAttribute('aria-label', pre.dataset.copy);
  const said = document.createElement('span');
  said.className = 'visually-hidden';
  said.setAttribute('role', 'status');
  button.addEventListener('click', async () => {
    const text = code.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
      said.textContent = 'Copied to the clipboard.';
    } catch {
      // No clipboard (an insecure origin, or permission refused): select the text for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = 'Selected';
      said.textContent = 'Copying is not allowed here; the command is selected, press Ctrl+C.';
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 2000);
  });
  pre.classList.add('has-copy');
  pre.append(button, said);
}
