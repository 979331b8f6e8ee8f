// The example portal's script: mounts the module with the portal's user, logs its events, and keeps the handle
// on window.portal for the tests (mount again, unmount).
import { mount } from '../bitbucket-versioning.js';

const log = document.getElementById('event-log');
for (const type of ['connection-created', 'connection-reset', 'push-done', 'pull-applied']) {
  document.addEventListener(`bitbucket-versioning:${type}`, (event) => {
    const item = document.createElement('li');
    item.textContent = `${type} ${JSON.stringify(event.detail)}`;
    log.append(item);
  });
}

const options = {
  user: { name: 'Lee Lead', role: 'quality_lead' },
  start: '/projects/checkout-web/integrations/versioning/bitbucket',
};
const element = document.getElementById('first-instance');
window.portal = { element, options, mount, handle: await mount(element, options) };
