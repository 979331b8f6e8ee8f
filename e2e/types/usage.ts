// Compiled (never run) by the test command: a portal's use of bitbucket-versioning.d.ts, so that the shipped types
// stay valid and say what the module takes and dispatches.
import {
  mount, type ArtifactProvider, type BitbucketVersioningEvents, type Mounted, type PortalStorage, type ProjectArtifacts,
} from '../../src/bitbucket-versioning.js';

const kept = new Map<string, string>();
const storage: PortalStorage = {
  async get(key) { return kept.get(key) ?? null; },
  async put(key, text) { kept.set(key, text); },
  async delete(key) { kept.delete(key); },
};

const artifacts: ProjectArtifacts = {
  id: 'checkout-web',
  name: 'Checkout Web',
  description: '',
  suites: [{
    id: 's1', name: 'Cart', description: '', review_state: 'new',
    scenarios: [{
      id: 'c1', name: 'Add items', description: '', review_state: 'approved',
      test_cases: [{
        id: 't1', name: 'Add one item', description: '', review_state: 'in_progress',
        steps: [{ keyword: 'Open', element: 'Product page', input: '', expected: 'It shows', comment: '' }],
      }],
    }],
  }],
  element_repositories: [{
    id: 'e1', name: 'Product page', description: '', review_state: 'new',
    elements: [{ name: 'Add', locators: [{ strategy: 'css', value: '#add' }] }],
  }],
  data_tables: [{ id: 'd1', name: 'Items', description: '', review_state: 'new', columns: ['sku'], rows: [['42']] }],
  execution_lists: [{
    id: 'x1', name: 'Nightly', description: '', review_state: 'new',
    settings: { browser: 'chrome', environment: 'staging', retries: 0, parallel: 1 },
    entries: [{ suite: 's1', data_table: null }],
  }],
};

const provider: ArtifactProvider = {
  async load(projectId) { return projectId === artifacts.id ? artifacts : null; },
  async save(_projectId, changed) { artifacts.suites = changed.suites; },
};

const element = document.createElement('div');
const handle: Mounted = await mount(element, {
  user: { name: 'Eve Engineer', role: 'quality_engineer' },
  start: '/projects/checkout-web/artifacts',
  projects: ['checkout-web'],
  apiBaseUrl: 'https://portal.example.com/bitbucket-relay/2.0',
  storage,
  artifacts: provider,
});
handle.update({ user: { name: 'Eve Engineer', role: 'quality_lead' } });

const onError = (event: BitbucketVersioningEvents['bitbucket-versioning:error']) => {
  const { project, activity, message } = event.detail;
  console.info(project, activity satisfies 'connection_test' | 'connection_save' | 'push' | 'pull' | 'artifacts' | 'export' | 'import', message);
};
element.addEventListener('bitbucket-versioning:error', onError as EventListener);

const tag = document.createElement('bitbucket-versioning');
tag.options = { projects: ['checkout-web'], storage };
handle.unmount();
