//! The projects of the standalone demo.

/// What the navigation needs to know of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSummary {
    /// Id used in URLs.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One-line description.
    pub description: String,
}

/// Every project the user can open.
pub fn list_projects() -> Vec<ProjectSummary> {
    [
        (
            "checkout-web",
            "Checkout Web",
            "End-to-end tests of the web shop's cart, checkout and payments.",
        ),
        (
            "mobile-banking",
            "Mobile Banking",
            "Regression suite of the mobile banking app.",
        ),
        (
            "partner-api",
            "Partner API",
            "Contract and integration tests of the partner REST API.",
        ),
    ]
    .into_iter()
    .map(|(id, name, description)| ProjectSummary {
        id: id.into(),
        name: name.into(),
        description: description.into(),
    })
    .collect()
}

/// One project by id.
pub fn find_project(id: &str) -> Option<ProjectSummary> {
    list_projects().into_iter().find(|p| p.id == id)
}
