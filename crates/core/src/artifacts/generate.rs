//! Large synthetic projects with realistic sizes, for performance tests and load demos. The same seed
//! always gives the same project.

use super::id::{ArtifactId, ArtifactKind};
use super::model::{
    DataTable, Element, ElementRepository, ExecutionEntry, ExecutionList, Locator, LocatorStrategy,
    Project, ReviewState, RunSettings, Scenario, TestCase, TestSuite,
};
use super::rng::SplitMix64;
use super::step::Step;

const AREAS: &[&str] = &[
    "Login", "Search", "Cart", "Checkout", "Profile", "Orders", "Invoices", "Settings", "Reports",
];
const VERBS: &[&str] = &[
    "Create", "Edit", "Delete", "View", "Filter", "Export", "Import", "Approve", "Cancel",
];
const NOUNS: &[&str] = &[
    "order", "customer", "invoice", "address", "product", "coupon", "report", "user", "payment",
];
const QUALIFIERS: &[&str] = &[
    "with valid data",
    "with missing fields",
    "as guest",
    "as admin",
    "on slow network",
    "twice",
];
const WIDGETS: &[&str] = &[
    "Button", "Field", "Link", "Label", "Dropdown", "Checkbox", "Table", "Tab", "Icon",
];
const KEYWORDS: &[&str] = &[
    "Navigate",
    "Click",
    "Type",
    "Verify",
    "Select",
    "Wait",
    "Hover",
    "VerifyText",
];
const REVIEW_STATES: &[ReviewState] = &[
    ReviewState::New,
    ReviewState::InProgress,
    ReviewState::UnderReview,
    ReviewState::Approved,
    ReviewState::Approved,
    ReviewState::Rejected,
];

/// A generator of one synthetic project: the random source and the id counter.
struct Synth {
    rng: SplitMix64,
    seed: u64,
    next_id: u64,
}

impl Synth {
    fn id(&mut self, kind: ArtifactKind) -> ArtifactId {
        self.next_id += 1;
        ArtifactId::derive(kind, self.seed, self.next_id)
    }

    fn phrase(&mut self) -> String {
        format!(
            "{} {} {}",
            self.rng.pick(VERBS),
            self.rng.pick(NOUNS),
            self.rng.pick(QUALIFIERS)
        )
    }

    fn review_state(&mut self) -> ReviewState {
        *self.rng.pick(REVIEW_STATES)
    }

    fn element_repository(&mut self, area: &str) -> ElementRepository {
        let mut repository = ElementRepository::new(
            self.id(ArtifactKind::ElementRepository),
            format!("{area} screen"),
        );
        repository.review_state = self.review_state();
        for index in 0..self.rng.range(20, 50) {
            let name = format!("{}{}{index}", self.rng.pick(NOUNS), self.rng.pick(WIDGETS));
            let mut locators = vec![Locator {
                strategy: LocatorStrategy::Id,
                value: name.to_lowercase(),
            }];
            if self.rng.one_in(2) {
                let value = format!("//*[@data-test='{}']", name.to_lowercase());
                locators.push(Locator {
                    strategy: LocatorStrategy::Xpath,
                    value,
                });
            }
            repository.elements.push(Element { name, locators });
        }
        repository
    }

    fn data_table(&mut self) -> DataTable {
        let mut table = DataTable::new(
            self.id(ArtifactKind::DataTable),
            format!("{} data", self.rng.pick(NOUNS)),
        );
        table.columns = (0..self.rng.range(5, 10))
            .map(|index| format!("{}_{index}", self.rng.pick(NOUNS)))
            .collect();
        let rows = self.rng.range(20, 200);
        table.rows = (0..rows)
            .map(|row| {
                (0..table.columns.len())
                    .map(|column| self.cell(row, column))
                    .collect()
            })
            .collect();
        table
    }

    fn cell(&mut self, row: usize, column: usize) -> String {
        match self.rng.range(0, 5) {
            0 => String::new(),
            1 => format!("{}, {}", self.rng.pick(NOUNS), self.rng.pick(AREAS)),
            2 => format!("{}", self.rng.next_u64() % 100_000),
            _ => format!("value {row}-{column}"),
        }
    }

    fn step(&mut self, elements: &[Element]) -> Step {
        let keyword = *self.rng.pick(KEYWORDS);
        let element = elements.get(self.rng.range(0, elements.len().saturating_sub(1)));
        let element = element.map(|e| e.name.clone()).unwrap_or_default();
        let (input, expected) = match keyword {
            "Navigate" => (
                format!("https://app.example.com/{}", self.rng.pick(NOUNS)),
                String::new(),
            ),
            "Type" => (
                format!("{} {}", self.rng.pick(NOUNS), self.rng.next_u64() % 1000),
                String::new(),
            ),
            "Verify" | "VerifyText" => {
                (String::new(), format!("{} is shown", self.rng.pick(NOUNS)))
            }
            "Wait" => ("2s".to_owned(), String::new()),
            _ => (String::new(), String::new()),
        };
        let comment = if self.rng.one_in(5) {
            self.phrase()
        } else {
            String::new()
        };
        Step::new(keyword, &element, &input, &expected, &comment)
    }

    fn test_case(&mut self, elements: &[Element]) -> TestCase {
        let mut case = TestCase::new(self.id(ArtifactKind::TestCase), self.phrase());
        case.review_state = self.review_state();
        case.description = format!("Checks that users can {}.", self.phrase().to_lowercase());
        case.steps = (0..self.rng.range(5, 15))
            .map(|_| self.step(elements))
            .collect();
        case
    }
}

/// A project with `test_cases` test cases: suites of 2–6 scenarios of 10–40 test cases of 5–15 steps,
/// 3–6 element repositories of 20–50 objects, 2–4 data tables of 5–10 columns and 20–200 rows, and two
/// execution lists. Deterministic: the same seed and size give the same project.
///
/// ```
/// use versioning_core::artifacts::generate::synthetic_project;
/// let project = synthetic_project(7, 100);
/// assert_eq!(project.test_cases().count(), 100);
/// assert_eq!(project, synthetic_project(7, 100));
/// ```
pub fn synthetic_project(seed: u64, test_cases: usize) -> Project {
    let mut synth = Synth {
        rng: SplitMix64::new(seed),
        seed,
        next_id: 0,
    };
    let mut project = Project::new(
        ArtifactId::derive(ArtifactKind::Project, seed, 0),
        format!("Synthetic project {seed}"),
    );
    project.description = format!("Generated from seed {seed} with {test_cases} test cases.");
    let repositories = synth.rng.range(3, 6);
    project.element_repositories = (0..repositories)
        .map(|index| synth.element_repository(AREAS[index % AREAS.len()]).into())
        .collect();
    let elements: Vec<Element> = project
        .element_repositories
        .iter()
        .flat_map(|r| r.elements.clone())
        .collect();
    project.data_tables = (0..synth.rng.range(2, 4))
        .map(|_| synth.data_table().into())
        .collect();
    let mut remaining = test_cases;
    while remaining > 0 {
        let area = synth.rng.pick(AREAS);
        let mut suite = TestSuite::new(
            synth.id(ArtifactKind::Suite),
            format!("{area} {}", project.suites.len() + 1),
        );
        suite.review_state = synth.review_state();
        for _ in 0..synth.rng.range(2, 6) {
            let size = synth.rng.range(10, 40).min(remaining);
            if size == 0 {
                break;
            }
            let mut scenario = Scenario::new(
                synth.id(ArtifactKind::Scenario),
                format!("{area}: {}", synth.phrase()),
            );
            scenario.test_cases = (0..size)
                .map(|_| synth.test_case(&elements).into())
                .collect();
            remaining -= size;
            suite.scenarios.push(scenario);
        }
        project.suites.push(suite);
    }
    for (name, browser, retries) in [("Smoke", "chrome", 0), ("Nightly regression", "firefox", 2)] {
        let mut list = ExecutionList::new(synth.id(ArtifactKind::ExecutionList), name);
        list.settings = RunSettings {
            browser: browser.to_owned(),
            environment: "staging".to_owned(),
            retries,
            parallel: 4,
        };
        let data_table = project.data_tables.first().map(|table| table.id.clone());
        let suites = project.suites.iter().map(|suite| ExecutionEntry {
            suite: suite.id.clone(),
            data_table: data_table.clone(),
        });
        list.entries = suites.collect();
        project.execution_lists.push(list.into());
    }
    project
}
