/**
 * Desktop notifications for mentions and private messages while the tab is hidden. Permission
 * is asked only from a click on the app's button, never on load.
 */
export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export function notificationsAllowed(): boolean {
  return notificationsSupported() && Notification.permission === 'granted';
}

export async function askNotifications(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  if (Notification.permission === 'granted') return true;
  return (await Notification.requestPermission()) === 'granted';
}

/** Shows one notification (the body as plain text); a click brings the tab back. */
export function notify(title: string, body: string, onClick: () => void): void {
  if (!notificationsAllowed() || document.visibilityState === 'visible') return;
  const n = new Notification(title, { body: body.slice(0, 200), tag: title });
  n.addEventListener('click', () => {
    window.focus();
    onClick();
    n.close();
  });
}
