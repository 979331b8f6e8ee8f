// Types of bitbucket-versioning.js, the module a portal imports to embed Bitbucket Versioning.

/** A product role of the portal's user; the role policy decides what each may do. */
export type Role = 'admin' | 'quality_manager' | 'quality_lead' | 'quality_engineer';

/** What the portal tells the module. Unknown keys are refused; only the object's own properties are read. */
export interface MountOptions {
  /**
   * The portal's signed-in user. Without it, the module runs as an unnamed "Portal user" with the lowest role
   * (`quality_engineer`); a `role` it does not know is read as the lowest role too. It never offers demo users.
   */
  user?: { name: string; role: Role };
  /** The view to start on, e.g. `/projects/p1/integrations/versioning/bitbucket` (default: the project list). */
  start?: string;
  /** The API base URL new connections start with, e.g. the portal's same-origin relay to Bitbucket. */
  apiBaseUrl?: string;
  /** The ids of the projects to show (all when not given); required with `storage` or `artifacts`. */
  projects?: string[];
  /**
   * The portal's storage for projects and connections, instead of the browser's (read at mount only). Keys:
   * `project/<id>`, `connection/<id>` (no secret) and `token/<id>` (the access token alone). An empty storage
   * starts with the demo projects.
   */
  storage?: PortalStorage;
  /**
   * The portal's test artifacts (read at mount only; `projects` is then required): the module reads each project's
   * artifacts from it and gives it back every change (a pull applied, an edit, an import). The module keeps only
   * what syncing needs in its store, never a copy of the artifacts, and adds no demo project.
   */
  artifacts?: ArtifactProvider;
}

/** Supplies the projects' test artifacts; each call returns a promise. */
export interface ArtifactProvider {
  /** The project's artifacts (an object, or its JSON text), or `null` when the portal has no such project. */
  load(projectId: string): Promise<ProjectArtifacts | string | null | undefined>;
  /**
   * Receives the project's artifacts after the module changed them. Called only once the module reserved the save's
   * revision in its store: a tab whose copy is stale is refused before it calls `save`. A rejection is shown to the
   * user, and the module's record of the project is put back as it was.
   */
  save(projectId: string, artifacts: ProjectArtifacts): Promise<void>;
}

/** Where an artifact is in its review. */
export type ReviewState = 'new' | 'in_progress' | 'under_review' | 'approved' | 'rejected';

/** Fields every artifact has. Ids are short machine ids (`checkout-web`), unique within a project. */
export interface ArtifactBase {
  id: string;
  name: string;
  description: string;
  review_state: ReviewState;
}

/** A project's test artifacts, as plain data; arrays keep the order the user chose. No other keys are allowed. */
export interface ProjectArtifacts {
  id: string;
  name: string;
  description: string;
  suites: TestSuite[];
  element_repositories: ElementRepository[];
  data_tables: DataTable[];
  execution_lists: ExecutionList[];
}

/** A test suite (module): scenarios in order. */
export interface TestSuite extends ArtifactBase { scenarios: Scenario[] }
/** A scenario: test cases in order. */
export interface Scenario extends ArtifactBase { test_cases: TestCase[] }
/** A test case: steps in order. */
export interface TestCase extends ArtifactBase { steps: Step[] }
/** One step of a test case. */
export interface Step { keyword: string; element: string; input: string; expected: string; comment: string }
/** An element repository (screen). */
export interface ElementRepository extends ArtifactBase {
  elements: { name: string; locators: { strategy: LocatorStrategy; value: string }[] }[];
}
/** How an element is found. */
export type LocatorStrategy = 'id' | 'name' | 'css' | 'xpath' | 'link_text' | 'accessibility_id' | 'text';
/** A data table: column names and rows of cells. */
export interface DataTable extends ArtifactBase { columns: string[]; rows: string[][] }
/** An execution list: suites to run, each with an optional data table. */
export interface ExecutionList extends ArtifactBase {
  settings: { browser: string; environment: string; retries: number; parallel: number };
  entries: { suite: string; data_table: string | null }[];
}

/** Text by key, kept where the portal wants (e.g. its back end); each call returns a promise. */
export interface PortalStorage {
  /** The text under `key`, or `null`/`undefined` when there is none; any other answer is an error shown to the user. */
  get(key: string): Promise<string | null | undefined>;
  /**
   * Stores `text` under `key`. The writes of one project's connection are made one after another, each after the
   * promise of the one before settled; the user is told the connection was saved only once this resolves, and told
   * it was not saved (with the rejection's message) when it rejects.
   */
  put(key: string, text: string): Promise<void>;
  /** Removes `key`; like `put`, awaited before the user is told the connection was removed. */
  delete(key: string): Promise<void>;
  /**
   * How projects are kept (read at mount; any other value is refused). `1` (the default): each project whole, as
   * JSON, under `project/<id>`. `2`: per artifact, so that a save writes only what changed: `project/<id>` holds the
   * head (everything but the artifacts, with the first level of its trees, which the explorer shows while the rest is
   * read, and the names of the manifest parts of its files and of its baseline),
   * `project/<id>/manifest/<part>` each part and `project/<id>/file/<sha256>` each artifact file by its SHA-256. A
   * save puts the new files and parts, then the head, then deletes what the head no longer names. Records of either
   * form are read whatever is declared, and written in the declared form at their next save.
   */
  projectRecordsVersion?: 1 | 2;
}

/** The module mounted in an element. */
export interface Mounted {
  /**
   * Merges `options` into those the module holds (the user, the view to start on): what it does not name stays,
   * the user above all. The storage and the artifact provider stay the ones given at mount.
   */
  update(options: MountOptions): void;
  /** Removes the module from its element with its listeners and timers; a second call does nothing. */
  unmount(): void;
}

/**
 * Mounts the module in `element`, inside a shadow root of its own. The Test artifacts explorer (with push and pull)
 * is a second WebAssembly module, fetched from beside this file when a user first opens it.
 */
export function mount(element: HTMLElement, options?: MountOptions): Promise<Mounted>;

/**
 * Starts the standalone app in `element`, with the page's URL as its location and demo users (the standalone
 * page's start; a portal uses `mount`). The handle is only for `unmount`.
 */
export function start(element: HTMLElement): Promise<Mounted>;

/**
 * The `detail` of each DOM event the module dispatches on its element (they bubble and are composed). Its texts are
 * plain: the names the module shows as code (a branch, a version, a project id) come without backticks.
 */
export interface BitbucketVersioningEvents {
  'bitbucket-versioning:connection-created': CustomEvent<{ project: string; repository: string }>;
  'bitbucket-versioning:connection-reset': CustomEvent<{ project: string }>;
  'bitbucket-versioning:push-done': CustomEvent<{ project: string; branch: string; commits: string[] }>;
  'bitbucket-versioning:pull-applied': CustomEvent<{ project: string; summary: string }>;
  /** The portal's storage refused to write a connection: the user's change is not kept, and the page says so. */
  'bitbucket-versioning:storage-failed': CustomEvent<{ project: string; message: string }>;
  /**
   * The user was shown an error (never with a secret in it), each time a view shows a new one; `project` is empty
   * for an import, whose project is not known before its archive is read.
   */
  'bitbucket-versioning:error': CustomEvent<{ project: string; activity: FailedActivity; message: string }>;
}

/** What the user was doing when an error was shown. */
export type FailedActivity = 'connection_test' | 'connection_save' | 'push' | 'pull' | 'artifacts' | 'export' | 'import';

/**
 * `<bitbucket-versioning start="…" user-name="…" user-role="…">`, or its `options` property set before insertion.
 * A change of its attributes is an update: removing the user's attributes keeps the user.
 */
export class BitbucketVersioningElement extends HTMLElement {
  options?: MountOptions;
}

declare global {
  interface HTMLElementTagNameMap {
    'bitbucket-versioning': BitbucketVersioningElement;
  }
}
