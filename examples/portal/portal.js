// The example portal's script: gives the module the portal's user and storage, logs its events, and keeps the
// handle on window.portal for the tests (mount again, unmount).
import { mount } from '../bitbucket-versioning.js';

const log = document.getElementById('event-log');
for (const type of ['connection-created', 'connection-reset', 'push-done', 'pull-applied', 'storage-failed', 'error']) {
  document.addEventListener(`bitbucket-versioning:${type}`, (event) => {
    const item = document.createElement('li');
    item.textContent = `${type} ${JSON.stringify(event.detail)}`;
    log.append(item);
  });
}

/**
 * The portal's storage for the module. A real portal would call its back end; this one keeps records in its own
 * localStorage namespace and tokens in its sessionStorage, to show that the module keeps nothing of its own.
 */
const storage = {
  area: (key) => (key.startsWith('token/') ? sessionStorage : localStorage),
  async get(key) { return this.area(key).getItem(`acme-portal/versioning/${key}`); },
  async put(key, text) { this.area(key).setItem(`acme-portal/versioning/${key}`, text); },
  async delete(key) { this.area(key).removeItem(`acme-portal/versioning/${key}`); },
};

const projects = ['checkout-web'];
const options = {
  user: { name: 'Lee Lead', role: 'quality_lead' },
  start: '/projects/checkout-web/integrations/versioning/bitbucket',
  projects,
  storage,
};
// The element takes its user and view from its attributes, and the storage from this property.
document.getElementById('second-instance').options = { projects, storage };
const element = document.getElementById('first-instance');
window.portal = { element, options, mount, handle: await mount(element, options) };
