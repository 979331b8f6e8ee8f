// Types of bitbucket-versioning.js, the module a portal imports to embed Bitbucket Versioning.

/** A product role of the portal's user; the role policy decides what each may do. */
export type Role = 'admin' | 'quality_manager' | 'quality_lead' | 'quality_engineer';

/** What the portal tells the module. Unknown keys are refused. */
export interface MountOptions {
  /** The portal's signed-in user; without it, the module offers its demo users. */
  user?: { name: string; role: Role };
  /** The view to start on, e.g. `/projects/p1/integrations/versioning/bitbucket` (default: the project list). */
  start?: string;
  /** The API base URL new connections start with, e.g. the portal's same-origin relay to Bitbucket. */
  apiBaseUrl?: string;
  /** The ids of the projects to show (all when not given); required with `storage`. */
  projects?: string[];
  /**
   * The portal's storage for projects and connections, instead of the browser's (read at mount only). Keys:
   * `project/<id>`, `connection/<id>` (no secret) and `token/<id>` (the access token alone). An empty storage
   * starts with the demo projects.
   */
  storage?: PortalStorage;
}

/** Text by key, kept where the portal wants (e.g. its back end); each call returns a promise. */
export interface PortalStorage {
  get(key: string): Promise<string | null | undefined>;
  put(key: string, text: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The module mounted in an element. */
export interface Mounted {
  /** Applies new options (the user, the view to start on); the storage stays the one given at mount. */
  update(options: MountOptions): void;
  /** Removes the module from its element with its listeners and timers; a second call does nothing. */
  unmount(): void;
}

/** Mounts the module in `element`, inside a shadow root of its own. */
export function mount(element: HTMLElement, options?: MountOptions): Promise<Mounted>;

/** The `detail` of each DOM event the module dispatches on its element (they bubble and are composed). */
export interface BitbucketVersioningEvents {
  'bitbucket-versioning:connection-created': CustomEvent<{ project: string; repository: string }>;
  'bitbucket-versioning:connection-reset': CustomEvent<{ project: string }>;
  'bitbucket-versioning:push-done': CustomEvent<{ project: string; branch: string; commits: string[] }>;
  'bitbucket-versioning:pull-applied': CustomEvent<{ project: string; summary: string }>;
  /** The portal's storage refused to write a connection: the user's change is not kept. */
  'bitbucket-versioning:storage-failed': CustomEvent<{ project: string; message: string }>;
}

/** `<bitbucket-versioning start="…" user-name="…" user-role="…">`, or its `options` property set before insertion. */
export class BitbucketVersioningElement extends HTMLElement {
  options?: MountOptions;
}

declare global {
  interface HTMLElementTagNameMap {
    'bitbucket-versioning': BitbucketVersioningElement;
  }
}
